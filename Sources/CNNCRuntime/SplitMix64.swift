import Foundation

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64),
/// so initial weights are the same on every machine for a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}

/// The draws generated training code makes (dropout masks, GaussianNoise):
/// seeded streams, uniform and normal values.
extension SplitMix64 {
    /// A generator for one independent use of `seed` (an epoch, a fold, an image):
    /// seeds are mixed, not added, because SplitMix64 seeded with `s + k·γ` only
    /// replays the stream of `s` shifted by k draws.
    public init(seed: UInt64, stream: UInt64) {
        var streamMixer = SplitMix64(seed: stream ^ 0x5851_F42D_4C95_7F2D)
        var seedMixer = SplitMix64(seed: seed ^ streamMixer.next())
        self.init(seed: seedMixer.next())
    }

    /// A standard normal draw: Box–Muller from two uniforms, the cosine half
    /// (training-mode GaussianNoise and GaussianDropout).
    public mutating func nextGaussian() -> Double {
        let radius = (-2 * Foundation.log(1 - nextUnit())).squareRoot()  // 1 − u is in (0, 1]
        return radius * Foundation.cos(2 * Double.pi * nextUnit())
    }
}
