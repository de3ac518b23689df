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
        out.block("extension \(typeName): TrainableModel") { out in emitSupported(into: &out) }
    }

    static let phaseSignature = "public func trainingPhase(_ phase: Int, input: UnsafePointer<Float>, target: UnsafePointer<Float>, loss: LossFunction, gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, statistics: UnsafePointer<Float>, sums: UnsafeMutablePointer<Double>, dropoutSeed: UInt64) -> Float"

    /// Where every sample's tensors live in its arena during a step.
    struct ArenaPlan {
        var outputs: [Output] = []
        /// Dropout masks, by layer index.
        var masks: [Int: Int] = [:]
        /// dL/d(output) of each BatchNormalization layer, kept from one phase to the next.
        var outputGradients: [Int: Int] = [:]
        /// The layers that act only in training, by index.
        var trainingOnly: [Int: TrainingOnlyLayer] = [:]
        var paddedOffset = 0, paddedGradientOffset = 0, gradientOffset = 0, largestActivation = 0, total = 0
    }

    private func arenaPlan() -> ArenaPlan {
        // One slot per computed layer output, dropout masks, BatchNormalization's
        // output gradients, a padded input and a padded gradient, and two
        // gradient buffers that alternate.
        var plan = ArenaPlan()
        var offset = 0
        var largestPadded = 0
        plan.largestActivation = model.inputShape.elementCount
        for (index, layer) in model.layers.enumerated() {
            let count = layer.outputShape.elementCount
            plan.largestActivation = max(plan.largestActivation, count)
            switch layer.operation {
            case .flatten:
                plan.outputs.append(.alias)
            case .identityAtInference:
                let trainingOnly = TrainingOnlyLayer(layer: layer, index: index)
                plan.trainingOnly[index] = trainingOnly
                if trainingOnly?.aliasesInput ?? true {
                    plan.outputs.append(.alias)
                } else {
                    plan.outputs.append(.slot(offset: offset))
                    offset += count
                }
                if let maskCount = trainingOnly?.maskCount {
                    plan.masks[index] = offset
                    offset += maskCount
                }
            case .dropout:
                plan.outputs.append(.slot(offset: offset))
                plan.masks[index] = offset + count
                offset += 2 * count
            case .batchNormalization:
                plan.outputs.append(.slot(offset: offset))
                plan.outputGradients[index] = offset + count
                offset += 2 * count
            default:
                plan.outputs.append(.slot(offset: offset))
                offset += count
            }
            if let padding = layer.padding, padding != .zero, isConvolution(layer) {
                let padded = (layer.inputShape.dimensions[0] + padding.top + padding.bottom)
                    * (layer.inputShape.dimensions[1] + padding.left + padding.right) * layer.inputShape.lastAxis
                largestPadded = max(largestPadded, padded)
            }
        }
        plan.paddedOffset = offset
        plan.paddedGradientOffset = offset + largestPadded
        plan.gradientOffset = plan.paddedGradientOffset + largestPadded
        plan.total = plan.gradientOffset + 2 * plan.largestActivation
        return plan
    }

    private func emitSupported(into out: inout SourceWriter) {
        let plan = arenaPlan()
        let normalizations = NormalizationTraining.plan(model: model, weights: weights)
        let phases = phaseBodies(plan: plan, normalizations: normalizations)

        out.line("public static let trainingArenaCount = \(plan.total)")
        if let frozen = model.layers.first(where: \.frozen) {
            // Keras's fit keeps a frozen layer's weights (and a BatchNormalization's
            // statistics) fixed; training them all would silently differ from it.
            out.line("public static let trainingUnsupportedReason: String? = \"layer '\(frozen.name)' has trainable: false, and cnnc train updates every layer; remove the flag to train it, or train this model in Keras\"")
        } else {
            out.line("public static let trainingUnsupportedReason: String? = nil")
        }
        out.line("public static let outputActivation = \"\(outputActivation.rawValue)\"")
        out.line("public static let trainingPhaseCount = \(phases.count)")
        out.line("public static let batchSumCount = \(normalizations.reduce(0) { $0 + NormalizationTraining.sumsPerChannel * $1.channels })")
        out.line("public static let batchStatisticsCount = \(normalizations.reduce(0) { $0 + NormalizationTraining.statisticsPerChannel * $1.channels })")
        out.line()
        out.block(Self.phaseSignature) { out in
            out.block("packed.withUnsafeBufferPointer { packedWeights in", opening: "") { out in
                out.block("parameters.withUnsafeBufferPointer { parameterBuffer in", opening: "") { out in
                    // Declare as `var` only what the body changes: generated code compiles warning-free.
                    let swaps = phases.contains { $0.contains("swap(&g, &h)") }
                    out.line("let w = packedWeights.baseAddress!, k = parameterBuffer.baseAddress!")
                    out.line("let p = arena + \(plan.paddedOffset), q = arena + \(plan.paddedGradientOffset)")
                    out.line("\(swaps ? "var" : "let") g = arena + \(plan.gradientOffset), h = arena + \(plan.gradientOffset + plan.largestActivation)")
                    out.line("_ = (w, k, p, q, g, h, statistics, sums)")
                    if phases.count == 1 {
                        emit(phase: phases[0], plan: plan, into: &out)
                        return
                    }
                    out.block("switch phase") { out in
                        for (number, body) in phases.enumerated() {
                            let label = number == phases.count - 1 ? "default:" : "case \(number):"
                            out.block(label, opening: "", closing: "") { out in emit(phase: body, plan: plan, into: &out) }
                        }
                    }
                }
            }
        }
        out.line()
        out.block("public static func finishBatchStatistics(afterPhase phase: Int, sums: UnsafePointer<Double>, samples: Int, into statistics: UnsafeMutablePointer<Float>)") { out in
            guard !normalizations.isEmpty else { return }
            out.block("switch phase") { out in
                for (number, normalization) in normalizations.enumerated() {
                    out.block("case \(number):", opening: "", closing: "") { out in normalization.emitForwardStatistics(into: &out) }
                }
                // The loss phase and those after it each reach one normalization, the last first.
                for (number, normalization) in normalizations.reversed().enumerated() {
                    out.block("case \(normalizations.count + number):", opening: "", closing: "") { out in normalization.emitBackwardStatistics(into: &out) }
                }
                out.block("default:", opening: "", closing: "") { out in out.line("break") }
            }
        }
        out.line()
        out.block("public static func updateMovingStatistics(_ statistics: UnsafePointer<Float>, parameters: UnsafeMutablePointer<Float>)") { out in
            for normalization in normalizations { normalization.emitMovingAverageUpdate(into: &out) }
        }
        out.line()
        for (index, layer) in model.layers.enumerated() {
            BackwardEmitter(layer: layer, function: SwiftNames.layerFunction(index: index, layerName: layer.name), weights: weights, index: index)
                .emit(into: &out)
        }
        for normalization in normalizations { normalization.emitFunctions(into: &out) }
        for (_, layer) in plan.trainingOnly.sorted(by: { $0.key < $1.key }) { layer.emitFunctions(into: &out) }
    }

    /// One phase's lines, preceded by the arena pointers it names (and only
    /// those, so that no declaration goes unused).
    private func emit(phase body: String, plan: ArenaPlan, into out: inout SourceWriter) {
        for (index, output) in plan.outputs.enumerated() {
            if case .slot(let offset) = output, mentions(body, "o\(index)") { out.line("let o\(index) = arena + \(offset)") }
            if let offset = plan.masks[index], mentions(body, "m\(index)") { out.line("let m\(index) = arena + \(offset)") }
            if let offset = plan.outputGradients[index], mentions(body, "d\(index)") { out.line("let d\(index) = arena + \(offset)") }
        }
        out.embed(body)
    }

    /// Whether `name` occurs in `text` as a whole identifier.
    private func mentions(_ text: String, _ name: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: name, range: searchRange) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            let isIdentifier = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }
            if !isIdentifier(before), !isIdentifier(after) { return true }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }

    /// The text of every phase. Phase t < B runs forward from the previous
    /// normalization (normalizing with the batch's statistics) to the next, and
    /// adds this sample's part of its input's statistics. Phase B runs forward
    /// to the output, takes the loss and runs backward to the last
    /// normalization's output, adding its gradient sums. Each later phase goes
    /// back through one normalization to the one before it, the last to the input.
    private func phaseBodies(plan: ArenaPlan, normalizations: [NormalizationTraining]) -> [String] {
        let layerCount = model.layers.count
        let stops = normalizations.map(\.index)
        var phases: [String] = []
        for (number, stop) in stops.enumerated() {
            var body = SourceWriter()
            let start = number == 0 ? 0 : stops[number - 1]
            body.line("// Forward, training mode, to \(model.layers[stop].name): every layer's output stays for the backward pass.")
            emitForward(start..<stop, plan: plan, normalizations: normalizations, into: &body)
            body.line("Self.\(normalizations[number].function)_statistics(\(readable(stop - 1, plan.outputs)), sums)")
            body.line("return 0")
            phases.append(body.text)
        }
        var lossPhase = SourceWriter()
        lossPhase.line("// Forward, training mode: every layer's output stays for the backward pass.")
        emitForward((stops.last ?? 0)..<layerCount, plan: plan, normalizations: normalizations, into: &lossPhase)
        lossPhase.line("output.update(from: \(name(layerCount - 1, plan.outputs)), count: \(model.outputShape.elementCount))")
        emitLoss(plan: plan, into: &lossPhase)
        emitBackward(((stops.last.map { $0 + 1 }) ?? 0)..<layerCount, plan: plan, into: &lossPhase)
        if let last = normalizations.last { emitGradientSums(last, plan: plan, into: &lossPhase) }
        lossPhase.line("return value")
        phases.append(lossPhase.text)
        for number in stride(from: stops.count - 1, through: 0, by: -1) {
            var body = SourceWriter()
            let normalization = normalizations[number]
            let stop = normalization.index
            body.line("// Backward through \(normalization.layer.name), with the batch's mean(dy) and mean(dy·x̂)")
            let x = readable(stop - 1, plan.outputs)
            if stop == 0 {
                body.line("if let inputGradient { Self.\(normalization.function)_backward(\(x), UnsafePointer(d\(stop)), statistics, k, inputGradient) }")
            } else {
                body.line("Self.\(normalization.function)_backward(\(x), UnsafePointer(d\(stop)), statistics, k, g)")
                let lower = number == 0 ? 0 : stops[number - 1] + 1
                emitBackward(lower..<stop, plan: plan, into: &body)
                if number > 0 { emitGradientSums(normalizations[number - 1], plan: plan, into: &body) }
            }
            body.line("return 0")
            phases.append(body.text)
        }
        return phases
    }

    /// At a normalization's output in the backward pass: keep dL/dy for the next
    /// phase and add this sample's gradient sums.
    private func emitGradientSums(_ normalization: NormalizationTraining, plan: ArenaPlan, into out: inout SourceWriter) {
        let index = normalization.index
        out.line("// \(normalization.layer.name): dL/dy waits for the whole batch's sums")
        out.line("d\(index).update(from: g, count: \(normalization.layer.outputShape.elementCount))")
        out.line("Self.\(normalization.function)_gradientSums(\(readable(index - 1, plan.outputs)), UnsafePointer(g), statistics, gradients, sums)")
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

    private func emitForward(_ layers: Range<Int>, plan: ArenaPlan, normalizations: [NormalizationTraining], into out: inout SourceWriter) {
        let outputs = plan.outputs
        for index in layers {
            let layer = model.layers[index]
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name)
            let source = readable(index - 1, outputs)
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
            case .flatten:
                out.line("// \(layer.name): the same memory as its input")
            case .identityAtInference:
                if let trainingOnly = plan.trainingOnly[index] {
                    out.line(trainingOnly.forwardCall(x: source, y: target, mask: "m\(index)"))
                }
            case .dropout(let config):
                let count = layer.outputShape.elementCount
                let keep = 1 - config.rate
                out.line("// \(layer.name): inverted dropout, each value kept with probability \(keep) and scaled by 1/\(keep)")
                out.block("do", opening: " {") { out in
                    out.line("var random = SplitMix64(seed: dropoutSeed, stream: \(index))")
                    out.line("for i in 0..<\(count) { m\(index)[i] = random.nextUnit() < \(keep) ? Float(1 / \(keep)) : 0; \(target)[i] = \(source)[i] * m\(index)[i] }")
                }
            case .activation, .relu, .softmax:
                out.line("\(target).update(from: \(source), count: \(layer.outputShape.elementCount))")
                out.line("Self.\(function)(\(target))")
            case .batchNormalization:
                let normalization = normalizations.first { $0.index == index }!
                out.line("Self.\(normalization.function)_normalize(\(source), statistics, k, \(target))")
            }
        }
    }

    private func emitLoss(plan: ArenaPlan, into out: inout SourceWriter) {
        let count = model.outputShape.elementCount
        out.line("// The loss, and its gradient: with respect to the output, or to the")
        out.line("// output layer's pre-activation when the two fuse into the stable y - t.")
        let channels = model.outputShape.lastAxis
        let penalties = plan.trainingOnly.sorted { $0.key < $1.key }.compactMap { index, layer in
            layer.penaltyCall(x: readable(index - 1, plan.outputs))
        }
        out.line("\(penalties.isEmpty ? "let" : "var") value = loss.value(output, target, count: \(count), channels: \(channels))")
        for penalty in penalties { out.line("value += \(penalty)  // ActivityRegularization joins the loss") }
        out.line("let fused = loss.fuses(with: Self.outputActivation)")
        out.line("loss.gradient(output, target, count: \(count), channels: \(channels), fused: fused, into: g)")
    }

    private func emitBackward(_ layers: Range<Int>, plan: ArenaPlan, into out: inout SourceWriter) {
        let outputs = plan.outputs
        guard !layers.isEmpty else { return }
        out.line("// Backward: g holds dL/d(this layer's output); each layer writes dL/d(its input).")
        for index in layers.reversed() {
            let layer = model.layers[index]
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
            case .flatten:
                out.line("// passes the gradient through")
                if index == 0 { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
            case .identityAtInference:
                if let call = plan.trainingOnly[index]?.backwardCall(x: x, mask: "m\(index)") { out.line(call) }
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
                // Its own phase: emitted by phaseBodies.
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
