/// Keras's default initial weights, from a seeded generator: Glorot-uniform
/// kernels (limit sqrt(6 / (fan_in + fan_out))), zero biases, and for
/// BatchNormalization gamma 1, beta 0, moving mean 0, moving variance 1, and
/// for Normalization mean 0, variance 1, count 0; a tensor whose layout names
/// an initial value (LayerScale's gamma, `init_values`) starts at that value.
public enum KerasInitializers {
    public static func parameters(for layout: [TensorLayout], count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        var values = [Float](repeating: 0, count: count)
        for tensor in layout {
            if let value = tensor.initialValue {
                for index in 0..<tensor.count { values[tensor.offset + index] = value }
                continue
            }
            let kind = tensor.name.split(separator: ".").last.map(String.init) ?? ""
            switch kind {
            case "kernel":
                let (fanIn, fanOut) = fans(tensor.shape)
                let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
                for index in 0..<tensor.count {
                    values[tensor.offset + index] = Float((generator.nextUnit() * 2 - 1) * limit)
                }
            case "gamma", "moving_variance", "variance":
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
