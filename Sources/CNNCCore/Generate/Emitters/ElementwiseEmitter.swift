/// Layers that change values in place: activations, ReLU's variants,
/// softmax over the last axis, and BatchNormalization folded to x·scale + shift.
struct ElementwiseEmitter: Codable, Hashable {
    enum Kind: Codable, Hashable {
        case activation(Activation)
        case relu(ReLUConfig)
        case batchNormalization(scaleOffset: Int, shiftOffset: Int)

        /// The kind for an Activation, ReLU or Softmax layer; nil for any other.
        init?(_ operation: LayerOperation) {
            switch operation {
            case .activation(let activation): self = .activation(activation)
            case .relu(let config): self = .relu(config)
            case .softmax: self = .activation(.softmax)
            default: return nil
            }
        }
    }

    var function: String
    var kind: Kind
    var shape: TensorShape

    /// Whether the function reads the packed weights.
    var needsWeights: Bool {
        if case .batchNormalization = kind { return true }
        return false
    }

    func emit(into out: inout SourceWriter) {
        let count = shape.elementCount
        let channels = shape.lastAxis
        out.line("@inline(never)")
        let signature = needsWeights
            ? "static func \(function)(_ x: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>)"
            : "static func \(function)(_ x: UnsafeMutablePointer<Float>)"
        out.block(signature) { out in
            switch kind {
            case .activation(.linear):
                out.line("// linear: nothing to do")
            case .activation(.relu):
                out.line("for i in 0..<\(count) { x[i] = Swift.max(x[i], 0) }")
            case .activation(.sigmoid):
                out.line("VectorMath.sigmoid(x, count: \(count))")
            case .activation(.tanh):
                out.line("VectorMath.tanh(x, count: \(count))")
            case .activation(.softmax):
                // Subtracting the maximum keeps exp finite for large logits.
                out.block("for position in 0..<\(count / channels)") { out in
                    out.line("let v = x + position * \(channels)")
                    out.line("var largest = v[0]")
                    out.line("for c in 1..<\(channels) { largest = Swift.max(largest, v[c]) }")
                    out.line("for c in 0..<\(channels) { v[c] -= largest }")
                    out.line("VectorMath.exp(v, count: \(channels))")
                    out.line("var sum: Float = 0")
                    out.line("for c in 0..<\(channels) { sum += v[c] }")
                    out.line("for c in 0..<\(channels) { v[c] /= sum }")
                }
            case .activation(let activation):
                if let function = activation.vectorFunction {
                    out.line("VectorMath.apply(\(function), to: x, count: \(count))")
                }
            case .relu(let config):
                emitReLU(config, count: count, into: &out)
            case .batchNormalization(let scaleOffset, let shiftOffset):
                out.block("for position in 0..<\(count / channels)") { out in
                    out.line("let v = x + position * \(channels)")
                    out.line("for c in 0..<\(channels) { v[c] = v[c] * w[\(scaleOffset) + c] + w[\(shiftOffset) + c] }")
                }
            }
        }
    }

    /// Keras's ReLU(max_value, negative_slope, threshold):
    /// x > threshold ? min(x, max_value) : negative_slope · (x − threshold).
    private func emitReLU(_ config: ReLUConfig, count: Int, into out: inout SourceWriter) {
        let threshold = literal(config.threshold)
        var above = "v"
        if let maxValue = config.maxValue { above = "Swift.min(Swift.max(v, 0), \(literal(maxValue)))" }
        let below = config.negativeSlope == 0 ? "0" : "\(literal(config.negativeSlope)) * (v - \(threshold))"
        out.line("for i in 0..<\(count) { let v = x[i]; x[i] = v > \(threshold) ? \(above) : \(below) }")
    }

    private func literal(_ value: Double) -> String {
        "Float(\(value))"
    }
}
