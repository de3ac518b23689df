import Foundation

/// The random draws the data pipeline makes, all from SplitMix64 so a seed
/// gives the same shuffles, folds, augmentations and built-in images on every
/// machine and every Swift version. (The standard library's `shuffle(using:)`
/// and `random(in:using:)` do not promise a fixed algorithm, so they are not used.)
extension SplitMix64 {
    /// A generator for one independent use of `seed` (an epoch, a fold, an image):
    /// seeds are mixed, not added, because SplitMix64 seeded with `s + k·γ` only
    /// replays the stream of `s` shifted by k draws.
    public init(seed: UInt64, stream: UInt64) {
        var streamMixer = SplitMix64(seed: stream ^ 0x5851_F42D_4C95_7F2D)
        var seedMixer = SplitMix64(seed: seed ^ streamMixer.next())
        self.init(seed: seedMixer.next())
    }

    /// A uniform integer in 0..<bound without modulo bias (Lemire's multiply-and-reject).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let range = UInt64(bound)
        let threshold = (0 &- range) % range
        while true {
            let (high, low) = next().multipliedFullWidth(by: range)
            if low >= threshold { return Int(high) }
        }
    }

    /// A uniform Double in [low, high) (numpy's `uniform(low, high)`).
    public mutating func nextUniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A standard normal draw: Box–Muller from two uniforms, the cosine half
    /// (training-mode GaussianNoise and GaussianDropout).
    public mutating func nextGaussian() -> Double {
        let radius = (-2 * Foundation.log(1 - nextUnit())).squareRoot()  // 1 − u is in (0, 1]
        return radius * Foundation.cos(2 * Double.pi * nextUnit())
    }

    /// True with probability `probability`.
    public mutating func nextBool(probability: Double = 0.5) -> Bool {
        nextUnit() < probability
    }

    /// 0..<count in a uniformly random order (Fisher–Yates, from the last place down).
    public mutating func shuffledIndices(count: Int) -> [Int] {
        var indices = Array(0..<count)
        shuffle(&indices)
        return indices
    }

    /// Shuffles `values` in place (Fisher–Yates, from the last place down).
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for last in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(last, nextInt(below: last + 1))
        }
    }
}
