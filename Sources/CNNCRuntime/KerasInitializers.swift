/// Keras's default initial weights, from a seeded generator: Glorot-uniform
/// kernels (limit sqrt(6 / (fan_in + fan_out))), zero biases, and for
/// BatchNormalization gamma 1, beta 0, moving mean 0, moving variance 1.
public enum KerasInitializers {
    public static func parameters(for layout: [TensorLayout], count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        var values = [Float](repeating: 0, count: count)
        for tensor in layout {
            let kind = tensor.name.split(separator: ".").last.map(String.init) ?? ""
            switch kind {
            case "kernel":
                let (fanIn, fanOut) = fans(tensor.shape)
                let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
                for index in 0..<tensor.count {
                    values[tensor.offset + index] = Float((generator.nextUnit() * 2 - 1) * limit)
                }
            case "gamma", "moving_variance":
                for index in 0..<tensor.count { values[tensor.offset + index] = 1 }
            default:
                break
            }
        }
        return values
    }

    /// Keras's fans: a Conv2D kernel (kh, kw, cin, cout) has fan_in kh·kw·cin and
    /// fan_out kh·kw·cout; a Dense kernel (in, out) has in and out.
    static func fans(_ shape: [Int]) -> (Int, Int) {
        guard shape.count >= 2 else { return (shape.first ?? 1, shape.first ?? 1) }
        let receptive = shape.dropLast(2).reduce(1, *)
        return (receptive * shape[shape.count - 2], receptive * shape[shape.count - 1])
    }
}

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
