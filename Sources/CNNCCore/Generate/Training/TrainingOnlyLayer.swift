/// The layers that are identity at inference, in training mode as Keras's
/// `fit` runs them. Their random draws come from SplitMix64 seeded by the
/// sample's dropout seed with the layer's index as the stream (Keras's own
/// draws cannot be reproduced, so these are checked by finite differences and
/// by their statistics):
///
/// - GaussianNoise(stddev): y = x + N(0, stddev²); dL/dx = dL/dy.
/// - GaussianDropout(rate): y = x·m, m ~ N(1, rate/(1 − rate)); dL/dx = m·dL/dy.
/// - SpatialDropout2D(rate): whole channels dropped, the rest scaled by
///   1/(1 − rate); dL/dx = m[channel]·dL/dy.
/// - ActivityRegularization(l1, l2): y = x, and the loss gains
///   l1·Σ|x| + l2·Σx² (per sample, so the batch mean is Keras's sum over the
///   batch divided by its size); dL/dx = dL/dy + l1·sign(x) + 2·l2·x.
struct TrainingOnlyLayer: Codable, Hashable, Sendable {
    var layer: CheckedLayer
    var index: Int
    var function: String
    var operation: TrainingOnlyOperation

    /// nil for a layer that acts in training as at inference (Identity).
    init?(layer: CheckedLayer, index: Int) {
        guard case .identityAtInference(let operation) = layer.operation else { return nil }
        if case .identity = operation { return nil }
        self.layer = layer
        self.index = index
        self.function = SwiftNames.layerFunction(index: index, layerName: layer.name)
        self.operation = operation
    }

    /// Floats of its mask in the arena (nil: it keeps none).
    var maskCount: Int? {
        switch operation {
        case .gaussianDropout: layer.outputShape.elementCount
        case .spatialDropout: layer.outputShape.lastAxis
        case .gaussianNoise, .activityRegularization, .identity: nil
        case .randomImage(let random): RandomImageTraining(random.transform, shape: layer.inputShape).parameterCount
        }
    }

    /// Whether its output is its input's memory (nothing changes in the forward pass).
    var aliasesInput: Bool {
        switch operation {
        case .activityRegularization, .identity: return true
        default: return false
        }
    }

    /// The forward call, training mode: `x` in, `y` out, `m` its mask.
    func forwardCall(x: String, y: String, mask: String) -> String {
        switch operation {
        case .gaussianNoise: "Self.\(function)_training(\(x), \(y), dropoutSeed)"
        case .gaussianDropout, .spatialDropout, .randomImage: "Self.\(function)_training(\(x), \(y), \(mask), dropoutSeed)"
        case .activityRegularization: "// \(layer.name): the same memory as its input; its penalty joins the loss"
        case .identity: "// \(layer.name): the same memory as its input"
        }
    }

    /// The backward call on `g` = dL/dy, in place; `x` is the layer's input.
    func backwardCall(x: String, mask: String) -> String? {
        switch operation {
        case .gaussianNoise, .identity: nil
        case .randomImage: "Self.\(function)_backward(\(x), UnsafePointer(\(mask)), g)"
        case .gaussianDropout, .spatialDropout: "Self.\(function)_backward(UnsafePointer(\(mask)), g)"
        case .activityRegularization: "Self.\(function)_backward(\(x), g)"
        }
    }

    /// The term it adds to the sample's loss, if any.
    func penaltyCall(x: String) -> String? {
        guard case .activityRegularization = operation else { return nil }
        return "Self.\(function)_penalty(\(x))"
    }

    func emitFunctions(into out: inout SourceWriter) {
        let count = layer.outputShape.elementCount
        let channels = layer.outputShape.lastAxis
        switch operation {
        case .gaussianNoise(let stddev):
            out.line("// \(layer.name): GaussianNoise in training, y = x + N(0, \(stddev)²)")
            out.line("@inline(never)")
            out.block("static func \(function)_training(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ seed: UInt64)") { out in
                out.line("var random = SplitMix64(seed: seed, stream: \(index))")
                out.line(Index.loopLine("i", count: count) { i in "y[\(i)] = x[\(i)] + Float(\(stddev) * random.nextGaussian())" })
            }
        case .gaussianDropout(let rate):
            let deviation = (rate / (1 - rate)).squareRoot()
            out.line("// \(layer.name): GaussianDropout in training, y = x·m, m ~ N(1, \(deviation)²)")
            out.line("@inline(never)")
            out.block("static func \(function)_training(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ seed: UInt64)") { out in
                out.line("var random = SplitMix64(seed: seed, stream: \(index))")
                out.line(Index.loopLine("i", count: count) { i in "m[\(i)] = Float(1 + \(deviation) * random.nextGaussian()); y[\(i)] = x[\(i)] * m[\(i)]" })
            }
            emitMaskBackward(count: count, channels: count, into: &out)
        case .spatialDropout(let rate):
            let keep = 1 - rate
            out.line("// \(layer.name): \(layer.className) in training, each channel kept with probability \(keep) and scaled by 1/\(keep)")
            out.line("@inline(never)")
            out.block("static func \(function)_training(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ seed: UInt64)") { out in
                out.line("var random = SplitMix64(seed: seed, stream: \(index))")
                out.line(Index.loopLine("c", count: channels) { c in "m[\(c)] = random.nextUnit() < \(keep) ? Float(1 / \(keep)) : 0" })
                out.line("for position in 0..<\(count / channels) { for c in 0..<\(channels) { y[position * \(channels) + c] = x[position * \(channels) + c] * m[c] } }")
            }
            emitMaskBackward(count: count, channels: channels, into: &out)
        case .activityRegularization(let l1, let l2):
            out.line("// \(layer.name): ActivityRegularization's penalty, \(l1)·Σ|x| + \(l2)·Σx²")
            out.line("@inline(never)")
            out.block("static func \(function)_penalty(_ x: UnsafePointer<Float>) -> Float") { out in
                out.line("var l1: Double = 0, l2: Double = 0")
                out.line(Index.loopLine("i", count: count) { i in "let v = Double(x[\(i)]); l1 += Swift.abs(v); l2 += v * v" })
                out.line("return Float(\(l1) * l1 + \(l2) * l2)")
            }
            out.line()
            out.line("// \(layer.name): the penalty's gradient, l1·sign(x) + 2·l2·x, joins dL/dy")
            out.line("@inline(never)")
            out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)") { out in
                out.line(Index.loopLine("i", count: count) { i in "let v = x[\(i)]; g[\(i)] += Float(\(l1)) * (v > 0 ? 1 : (v < 0 ? -1 : 0)) + Float(\(2 * l2)) * v" })
            }
        case .randomImage(let random):
            RandomImageTraining(random.transform, shape: layer.inputShape).emit(layer: layer.name, className: layer.className,
                                                                                function: function, stream: index, into: &out)
        case .identity:
            return
        }
        out.line()
    }

    /// dL/dx = m·dL/dy, the mask repeating every `channels` values.
    private func emitMaskBackward(count: Int, channels: Int, into out: inout SourceWriter) {
        out.line()
        out.line("// \(layer.name): the gradient through the same mask")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ m: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)") { out in
            if channels == count {
                out.line(Index.loopLine("i", count: count) { i in "g[\(i)] *= m[\(i)]" })
            } else {
                out.line("for position in 0..<\(count / channels) { for c in 0..<\(channels) { g[position * \(channels) + c] *= m[c] } }")
            }
        }
    }
}
