/// The training half of a generated model: an extension conforming to
/// `TrainableModel` whose forward pass keeps every layer's output (reusing the
/// inference kernels) and whose backward pass is one specialized function per
/// layer, with every size a constant. Gradients are in Keras's layout, at the
/// same offsets as the parameters, so an optimizer works on flat buffers.
struct TrainingGenerator {
    var model: CheckedModel
    var weights: WeightPlan
    var typeName: String

    /// Where each layer's output lives during a training step.
    enum Output {
        /// A slot of the arena of its own, `o<index>`.
        case slot(offset: Int)
        /// The same memory as its input (Flatten, identity layers).
        case alias
    }

    /// Layers without a backward pass yet; the model then reports why it cannot train.
    var unsupportedReason: String? {
        for layer in model.layers {
            switch layer.operation {
            case .batchNormalization:
                return "layer '\(layer.name)' is BatchNormalization, whose training pass (batch statistics, moving averages) cnnc does not generate yet"
            case .identityAtInference:
                return "layer '\(layer.name)' is \(layer.className), which acts only in training, and cnnc does not generate its training behaviour yet (training through it as identity would not be what Keras trains)"
            default:
                continue
            }
        }
        return nil
    }

    /// The last layer's activation, which decides whether the loss gradient fuses with it.
    var outputActivation: Activation {
        switch model.layers.last?.operation {
        case .conv2D(let config)?: config.activation
        case .dense(let config)?: config.activation
        case .activation(let activation)?: activation
        case .softmax?: .softmax
        default: .linear
        }
    }

    func emit(into out: inout SourceWriter) {
        out.line()
        out.doc("Training: forward in training mode keeping every layer's output, then backward.")
        out.block("extension \(typeName): TrainableModel") { out in
            guard let reason = unsupportedReason else {
                emitSupported(into: &out)
                return
            }
            out.line("public static let trainingArenaCount = 0")
            out.line("public static let trainingUnsupportedReason: String? = \"\(reason)\"")
            out.line("public static let outputActivation = \"\(outputActivation.rawValue)\"")
            out.line()
            out.doc("Never called: `trainingUnsupportedReason` is checked first.")
            out.block("public func accumulateGradients(_ input: UnsafePointer<Float>, target: UnsafePointer<Float>, loss: LossFunction, gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, dropoutSeed: UInt64) -> Float") { out in
                out.line(".nan")
            }
        }
    }

    private func emitSupported(into out: inout SourceWriter) {
        // Arena: one slot per computed layer output, dropout masks, a padded
        // input and a padded gradient, and two gradient buffers that alternate.
        var offset = 0
        var outputs: [Output] = []
        var masks: [Int: Int] = [:]
        var largestActivation = model.inputShape.elementCount
        var largestPadded = 0
        for (index, layer) in model.layers.enumerated() {
            largestActivation = max(largestActivation, layer.outputShape.elementCount)
            switch layer.operation {
            case .flatten, .identityAtInference:
                outputs.append(.alias)
            case .dropout:
                outputs.append(.slot(offset: offset))
                offset += layer.outputShape.elementCount
                masks[index] = offset
                offset += layer.outputShape.elementCount
            default:
                outputs.append(.slot(offset: offset))
                offset += layer.outputShape.elementCount
            }
            if let padding = layer.padding, padding != .zero, isConvolution(layer) {
                let padded = (layer.inputShape.dimensions[0] + padding.top + padding.bottom)
                    * (layer.inputShape.dimensions[1] + padding.left + padding.right) * layer.inputShape.lastAxis
                largestPadded = max(largestPadded, padded)
            }
        }
        let paddedOffset = offset
        let paddedGradientOffset = paddedOffset + largestPadded
        let gradientOffset = paddedGradientOffset + largestPadded
        let total = gradientOffset + 2 * largestActivation

        out.line("public static let trainingArenaCount = \(total)")
        out.line("public static let trainingUnsupportedReason: String? = nil")
        out.line("public static let outputActivation = \"\(outputActivation.rawValue)\"")
        out.line()
        out.block("public func accumulateGradients(_ input: UnsafePointer<Float>, target: UnsafePointer<Float>, loss: LossFunction, gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, dropoutSeed: UInt64) -> Float") { out in
            out.block("packed.withUnsafeBufferPointer { packedWeights in", opening: "") { out in
                out.block("parameters.withUnsafeBufferPointer { parameterBuffer in", opening: "") { out in
                    var body = SourceWriter()
                    emitForward(outputs: outputs, masks: masks, into: &body)
                    emitLoss(into: &body)
                    emitBackward(outputs: outputs, masks: masks, into: &body)
                    // Declare as `var` only what the body changes: generated code compiles warning-free.
                    let swaps = body.text.contains("swap(&g, &h)")
                    out.line("let w = packedWeights.baseAddress!, k = parameterBuffer.baseAddress!")
                    out.line("let p = arena + \(paddedOffset), q = arena + \(paddedGradientOffset)")
                    out.line("\(swaps ? "var" : "let") g = arena + \(gradientOffset), h = arena + \(gradientOffset + largestActivation)")
                    if body.text.contains("random.") { out.line("var random = SplitMix64(seed: dropoutSeed)") }
                    out.line("_ = (w, k, p, q, g, h)")
                    for line in body.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { out.line(String(line)) }
                    out.line("return value")
                }
            }
        }
        out.line()
        for (index, layer) in model.layers.enumerated() {
            BackwardEmitter(layer: layer, function: SwiftNames.layerFunction(index: index, layerName: layer.name), weights: weights, index: index)
                .emit(into: &out)
        }
    }

    /// The name of layer `index`'s output pointer (the input for -1).
    private func name(_ index: Int, _ outputs: [Output]) -> String {
        var index = index
        while index >= 0, case .alias = outputs[index] { index -= 1 }
        return index < 0 ? "input" : "o\(index)"
    }

    private func readable(_ index: Int, _ outputs: [Output]) -> String {
        let pointer = name(index, outputs)
        return pointer == "input" ? pointer : "UnsafePointer(\(pointer))"
    }

    private func isConvolution(_ layer: CheckedLayer) -> Bool {
        if case .conv2D = layer.operation { return true }
        return false
    }

    private func emitForward(outputs: [Output], masks: [Int: Int], into out: inout SourceWriter) {
        out.line("// Forward, training mode: every layer's output stays for the backward pass.")
        for (index, layer) in model.layers.enumerated() {
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name)
            let source = readable(index - 1, outputs)
            if case .slot(let offset) = outputs[index] { out.line("let o\(index) = arena + \(offset)") }
            let target = "o\(index)"
            switch layer.operation {
            case .conv2D, .dense:
                var reads = source
                if let padding = layer.padding, padding != .zero {
                    out.line("Self.\(function)_pad(\(source), p)")
                    reads = "UnsafePointer(p)"
                }
                out.line("Self.\(function)(\(reads), w, \(target))")
                let activation = layerActivation(layer.operation)
                if activation != .linear && activation != .relu { out.line("Self.\(function)_activation(\(target))") }
            case .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D, .zeroPadding2D:
                out.line("Self.\(function)(\(source), \(target))")
            case .flatten, .identityAtInference:
                out.line("// \(layer.name): the same memory as its input")
            case .dropout(let config):
                let count = layer.outputShape.elementCount
                let keep = 1 - config.rate
                out.line("let m\(index) = arena + \(masks[index]!)")
                out.line("// \(layer.name): inverted dropout, each value kept with probability \(keep) and scaled by 1/\(keep)")
                out.line("for i in 0..<\(count) { m\(index)[i] = random.nextUnit() < \(keep) ? Float(1 / \(keep)) : 0; \(target)[i] = \(source)[i] * m\(index)[i] }")
            case .activation, .relu, .softmax:
                out.line("\(target).update(from: \(source), count: \(layer.outputShape.elementCount))")
                out.line("Self.\(function)(\(target))")
            case .batchNormalization:
                out.line("// unreachable: BatchNormalization has no training pass")
            }
        }
        out.line("output.update(from: \(name(model.layers.count - 1, outputs)), count: \(model.outputShape.elementCount))")
    }

    private func emitLoss(into out: inout SourceWriter) {
        let count = model.outputShape.elementCount
        out.line("// The loss, and its gradient: with respect to the output, or to the")
        out.line("// output layer's pre-activation when the two fuse into the stable y - t.")
        let channels = model.outputShape.lastAxis
        out.line("let value = loss.value(output, target, count: \(count), channels: \(channels))")
        out.line("let fused = loss.fuses(with: Self.outputActivation)")
        out.line("loss.gradient(output, target, count: \(count), channels: \(channels), fused: fused, into: g)")
    }

    private func emitBackward(outputs: [Output], masks: [Int: Int], into out: inout SourceWriter) {
        out.line("// Backward: g holds dL/d(this layer's output); each layer writes dL/d(its input).")
        for (index, layer) in model.layers.enumerated().reversed() {
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name)
            let x = readable(index - 1, outputs)
            let y = readable(index, outputs)
            let last = index == model.layers.count - 1
            // The first layer writes straight into inputGradient, or skips dL/dx.
            let into = index == 0 ? "inputGradient" : "h"
            let swap = index == 0 ? "" : "; swap(&g, &h)"
            out.line("// \(layer.name)")
            switch layer.operation {
            case .conv2D, .dense:
                let activation = layerActivation(layer.operation)
                if activation != .linear {
                    out.line(last ? "if !fused { Self.\(function)_derivative(\(y), g) }" : "Self.\(function)_derivative(\(y), g)")
                }
                let padded = layer.padding.map { $0 != .zero } ?? false
                if padded {
                    out.line("Self.\(function)_pad(\(x), p)")
                    out.line("Self.\(function)_backward(UnsafePointer(p), UnsafePointer(g), k, gradients, \(index == 0 ? "inputGradient == nil ? nil : q" : "q"))")
                    if index == 0 {
                        out.line("if let inputGradient { Self.\(function)_unpad(UnsafePointer(q), inputGradient) }")
                    } else {
                        out.line("Self.\(function)_unpad(UnsafePointer(q), h)\(swap)")
                    }
                } else {
                    out.line("Self.\(function)_backward(\(x), UnsafePointer(g), k, gradients, \(into))\(swap)")
                }
            case .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D, .zeroPadding2D:
                if index == 0 {
                    out.line("if let inputGradient { Self.\(function)_backward(\(x), UnsafePointer(g), inputGradient) }")
                } else {
                    out.line("Self.\(function)_backward(\(x), UnsafePointer(g), h)\(swap)")
                }
            case .flatten, .identityAtInference:
                out.line("// passes the gradient through")
                if index == 0 { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
            case .dropout:
                out.line("for i in 0..<\(layer.outputShape.elementCount) { g[i] *= m\(index)[i] }")
                if index == 0 { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
            case .activation(.linear):
                if index == 0 { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
            case .activation, .softmax, .relu:
                // A fused loss already gave dL/d(pre-activation) for the output layer.
                let call = "Self.\(function)_derivative(\(x), \(y), g)"
                out.line(last ? "if !fused { \(call) }" : call)
                if index == 0 { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
            case .batchNormalization:
                break
            }
        }
    }

    private func layerActivation(_ operation: LayerOperation) -> Activation {
        switch operation {
        case .conv2D(let config): config.activation
        case .dense(let config): config.activation
        default: .linear
        }
    }
}
