/// The training half of a generated model: an extension conforming to
/// `TrainableModel` whose forward pass keeps every layer's output (reusing the
/// inference kernels) and whose backward pass is one specialized function per
/// layer, with every size a constant. Gradients are in Keras's layout, at the
/// same offsets as the parameters, so an optimizer works on flat buffers.
struct TrainingGenerator {
    let model: ModelProgram
    /// The layers, gathered once: read for every step, they made generating a deep model quadratic.
    private let layers: [CheckedLayer]
    /// The BatchNormalization layers whose dL/dy stays in the gradient buffer
    /// between two phases (`keptInPlace`), found once.
    private let gradientsKeptInPlace: Set<Int>

    init(model: ModelProgram) {
        self.model = model
        layers = model.nodes.map(\.layer)
        gradientsKeptInPlace = Self.keptInPlace(model.training)
    }

    var program: TrainingProgram { model.training }
    var arena: TrainingArena { model.training.arena }
    var typeName: String { model.typeName }
    var weights: WeightPlan { model.weights }

    func emit(into out: inout SourceWriter) {
        out.line()
        out.line("// MARK: - Training")
        out.line()
        out.doc("Training: forward in training mode keeping every layer's output, then backward.")
        out.block("extension \(typeName): TrainableModel") { out in
            if let reason = program.unsupportedReason {
                emitUnsupported(reason, into: &out)
            } else {
                emitSupported(into: &out)
            }
        }
    }

    /// A model that cannot be trained yet still runs `cnnc evaluate`, which
    /// needs the conformance; the trainer refuses it with the reason before
    /// any phase could run.
    private func emitUnsupported(_ reason: String, into out: inout SourceWriter) {
        out.line("public static let trainingArenaCount = 0")
        out.line("public static let trainingUnsupportedReason: String? = \(SwiftNames.stringLiteral(reason))")
        emitOutputActivations(into: &out)
        out.line("public static let trainingPhaseCount = 1")
        out.line("public static let batchSumCount = 0")
        out.line("public static let batchStatisticsCount = 0")
        out.line()
        out.doc("Never runs: `trainingUnsupportedReason` stops the trainer first.")
        out.block(Self.phaseSignature) { out in out.line("0") }
        out.line()
        out.line("public static func finishBatchStatistics(afterPhase phase: Int, sums: UnsafePointer<Double>, samples: Int, into statistics: UnsafeMutablePointer<Float>) {}")
        out.line()
        out.line("public static func updateMovingStatistics(_ statistics: UnsafePointer<Float>, parameters: UnsafeMutablePointer<Float>) {}")
    }

    /// The output layers' activations, which pick the default losses; a
    /// model of one output leaves `outputActivations` to the runtime.
    private func emitOutputActivations(into out: inout SourceWriter) {
        out.line("public static let outputActivation = \"\(program.outputActivation.rawValue)\"")
        guard program.outputActivations.count > 1 else { return }
        out.line("public static let outputActivations = [\(program.outputActivations.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))]")
    }

    static let phaseSignature = "public func trainingPhase(_ phase: Int, input: UnsafePointer<Float>, target: UnsafePointer<Float>, loss: ModelLoss, gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, statistics: UnsafePointer<Float>, sums: UnsafeMutablePointer<Double>, dropoutSeed: UInt64) -> Float"

    /// What a training part (`TrainingProgram.parts`) takes, written once for
    /// its signature and its calls; `g` and `h` are inout where they swap.
    private var partParameters: [(name: String, type: String)] {
        let buffer = program.swapsGradients ? "inout UnsafeMutablePointer<Float>" : "UnsafeMutablePointer<Float>"
        return [("input", "UnsafePointer<Float>"), ("inputGradient", "UnsafeMutablePointer<Float>?"), ("arena", "UnsafeMutablePointer<Float>"),
                ("statistics", "UnsafePointer<Float>"), ("sums", "UnsafeMutablePointer<Double>"), ("dropoutSeed", "UInt64"),
                ("gradients", "UnsafeMutablePointer<Float>"), ("w", "UnsafePointer<Float>"), ("k", "UnsafePointer<Float>"),
                ("p", "UnsafeMutablePointer<Float>"), ("q", "UnsafeMutablePointer<Float>"), ("g", buffer), ("h", buffer)]
    }

    private func emitSupported(into out: inout SourceWriter) {
        let normalizations = program.normalizations
        let phases = program.phases
        out.line("public static let trainingArenaCount = \(arena.total)")
        out.line("public static let trainingUnsupportedReason: String? = nil")
        if !program.frozenParameters.isEmpty {
            // Keras's fit keeps the weights of layers with trainable: false.
            let ranges = program.frozenParameters.map { "\($0.lowerBound)..<\($0.upperBound)" }
            out.line("public static let frozenParameterRanges: [Range<Int>] = [\(ranges.joined(separator: ", "))]")
        }
        emitOutputActivations(into: &out)
        out.line("public static let trainingPhaseCount = \(phases.count)")
        out.line("public static let batchSumCount = \(normalizations.reduce(0) { $0 + NormalizationTraining.sumsPerChannel * $1.channels })")
        out.line("public static let batchStatisticsCount = \(batchStatisticsCount)")
        emitStepWeights(into: &out)
        emitStepGradients(into: &out)
        out.line()
        out.block(Self.phaseSignature) { out in
            out.line("packed.withUnsafeBufferPointer { packedWeights in parameters.withUnsafeBufferPointer { parameterBuffer in")
            out.line("    trainingPass(phase, input, target, loss, gradients, inputGradient, output, arena, statistics, sums, dropoutSeed, packedWeights.baseAddress!, parameterBuffer.baseAddress!)")
            out.line("} }")
        }
        out.line()
        // A function, not the closure's body: Swift type-checks a closure's
        // statements with the call around it, in time that grew with the
        // square of the layers.
        out.line("@inline(__always)")
        out.block("private func trainingPass(_ phase: Int, _ input: UnsafePointer<Float>, _ target: UnsafePointer<Float>, _ loss: ModelLoss, _ gradients: UnsafeMutablePointer<Float>, _ inputGradient: UnsafeMutablePointer<Float>?, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ statistics: UnsafePointer<Float>, _ sums: UnsafeMutablePointer<Double>, _ dropoutSeed: UInt64, _ w: UnsafePointer<Float>, _ k: UnsafePointer<Float>) -> Float") { out in
            // Declare as `var` only what the body changes: generated code compiles warning-free.
            out.line("let p = \(PointerExpression.offset("arena", by: arena.paddedOffset)), q = \(PointerExpression.offset("arena", by: arena.paddedGradientOffset))")
            out.line("\(program.swapsGradients ? "var" : "let") g = \(gradientBuffer(0)), h = \(gradientBuffer(1))")
            out.line("_ = (w, k, p, q, g, h, statistics, sums)")
            if phases.count == 1 {
                emit(values: phases[0].values, steps: phases[0].steps, into: &out)
                return
            }
            out.block("switch phase") { out in
                for (number, phase) in phases.enumerated() {
                    let label = number == phases.count - 1 ? "default:" : "case \(number):"
                    out.block(label, opening: "", closing: "") { out in emit(values: phase.values, steps: phase.steps, into: &out) }
                }
            }
        }
        let parameters = partParameters.map { "_ \($0.name): \($0.type)" }.joined(separator: ", ")
        for (number, part) in program.parts.enumerated() {
            out.line()
            out.line("/// Steps of a long training phase, in a function of their own so that the compiler's time grows with the model's depth, not faster.")
            out.line("@inline(never)")
            out.block("private func trainingPart\(number)(\(parameters))") { out in
                emit(values: part.values, steps: part.steps, into: &out)
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
            for number in program.movingStatisticsOrder { normalizations[number].emitMovingAverageUpdate(into: &out) }
        }
        out.line()
        let inputGradientsByWinograd = Set(program.winogradInputGradients.map(\.layer))
        let kernelGradientsByWinograd = Set(program.winogradKernelGradients.map(\.layer))
        for node in model.nodes where node.sharesKernelsOf == nil {
            BackwardEmitter(layer: node.layer, function: node.function, weights: weights, index: node.index,
                            parameterBase: node.weightBase?.parameters ?? 0, target: model.target,
                            inputGradientByWinograd: inputGradientsByWinograd.contains(node.index),
                            kernelGradientByWinograd: kernelGradientsByWinograd.contains(node.index)).emit(into: &out)
        }
        var emitted: Set<String> = []
        for gradient in program.winogradKernelGradients where emitted.insert(gradient.kernel.function).inserted {
            gradient.kernel.emit(into: &out)
        }
        let winogradKernels = program.winogradInputGradients.map { gradient in
            (gradient.kernel, ["dL/dx of \(model.nodes[gradient.layer].layer.name) and the layers of its geometry: dL/dz bordered with zeros,",
                               "convolved by Winograd with the kernel turned half a turn (U' in the step weights)"])
        } + program.winogradTrainingForwards.map { forward in
            (forward.kernel, ["The training forward pass of \(model.nodes[forward.layer].layer.name) and the layers of its geometry,",
                              "by F(2x2, 3x3) where inference runs by F(4x4, 3x3) (U in the step weights)"])
        }
        for (kernel, comment) in winogradKernels where emitted.insert(kernel.kernel.function).inserted {
            for line in comment { out.line("// " + line) }
            kernel.padding.emit(into: &out)
            out.line()
            kernel.kernel.emit(into: &out)
            out.line()
        }
        for merge in mergeBackwards { merge.emit(into: &out) }
        for normalization in normalizations { normalization.emitFunctions(into: &out) }
        for layer in program.trainingOnly { layer.emitFunctions(into: &out) }
    }

    private var batchStatisticsCount: Int {
        program.normalizations.reduce(0) { $0 + NormalizationTraining.statisticsPerChannel * $1.channels }
    }

    /// The turned kernels that compute dL/dx by Winograd (`WinogradInputGradient`)
    /// and the F(2x2) kernels of the training forward pass (`WinogradTrainingForward`),
    /// derived from the weights once a step.
    private func emitStepWeights(into out: inout SourceWriter) {
        let gradients = program.winogradInputGradients, forwards = program.winogradTrainingForwards
        guard !gradients.isEmpty || !forwards.isEmpty else { return }
        out.line("public static let stepWeightCount = \(program.stepWeightCount)")
        out.line()
        out.block("public func deriveStepWeights(into stepWeights: UnsafeMutablePointer<Float>)") { out in
            out.line("deriveStepWeights(into: stepWeights, part: 0, of: 1)")
        }
        out.line()
        // Each layer's weights by one worker, in turn: they are independent, and one core
        // deriving them all while the other waited was 4% of a two-thread ResNet-20 step.
        out.block("public func deriveStepWeights(into stepWeights: UnsafeMutablePointer<Float>, part: Int, of parts: Int)") { out in
            out.block("parameters.withUnsafeBufferPointer { parameterBuffer in", opening: "", closing: "}") { out in
                out.line("let k = parameterBuffer.baseAddress!")
                var derived: Set<Int> = []
                var calls: [String] = []
                for gradient in gradients where derived.insert(gradient.stepWeightsOffset).inserted {
                    calls.append("WeightPacking.turnedWinograd(k, from: \(gradient.kernelParameters), inputChannels: \(gradient.inputChannels), outputs: \(gradient.outputs), paddedInputs: \(gradient.kernel.kernel.packed.paddedOutputs), tile: \(gradient.kernel.kernel.tile.size), into: \(PointerExpression.offset("stepWeights", by: gradient.stepWeightsOffset)))")
                }
                for forward in forwards where derived.insert(forward.stepWeightsOffset).inserted {
                    calls.append("WeightPacking.winograd(k, from: \(forward.kernelParameters), bias: \(forward.biasParameters.map(String.init) ?? "nil"), inputChannels: \(forward.inputChannels), outputs: \(forward.outputs), paddedOutputs: \(forward.paddedOutputs), tile: 2, into: \(PointerExpression.offset("stepWeights", by: forward.stepWeightsOffset)))")
                }
                for (turn, call) in calls.enumerated() { out.line("if \(turn) % parts == part { \(call) }") }
            }
        }
    }

    /// The arena's two gradient buffers, which `g` and `h` point to at a phase's start.
    private func gradientBuffer(_ number: Int) -> String {
        PointerExpression.offset("arena", by: arena.gradientOffset + number * arena.largestActivation)
    }

    /// The BatchNormalization layers whose dL/dy stays in the gradient buffer
    /// between the phase that ends with it and the next, which starts with
    /// their backward step: copied to a slot of its own, it was 40% of
    /// ResNet-20's copies in a training step (19 layers, 8K floats each on average).
    private static func keptInPlace(_ program: TrainingProgram) -> Set<Int> {
        func flattened(_ steps: [TrainingStep]) -> [TrainingStep] {
            steps.flatMap { step -> [TrainingStep] in
                if case .callPart(let number) = step { return flattened(program.parts[number].steps) }
                if case .note = step { return [] }
                return [step]
            }
        }
        let phases = program.phases.map { flattened($0.steps) }
        var kept: Set<Int> = []
        for (before, after) in zip(phases, phases.dropFirst()) {
            let ending = before.filter { if case .finish = $0 { false } else { true } }
            if case .keepGradientAndAddSums(let number)? = ending.last, case .normalizationBackward(number)? = after.first {
                kept.insert(number)
            }
        }
        return kept
    }

    /// The S of the layers whose dL/dkernel runs by Winograd's adjoint, summed
    /// over the batch, turned into dL/dkernel once a step (`WinogradKernelGradient`).
    private func emitStepGradients(into out: inout SourceWriter) {
        let gradients = program.winogradKernelGradients
        guard !gradients.isEmpty else { return }
        out.line("public static let stepGradientCount = \(program.stepGradientCount)")
        out.line()
        out.block("public static func foldStepGradients(_ stepGradients: UnsafePointer<Float>, into gradients: UnsafeMutablePointer<Float>)") { out in
            var folded: Set<Int> = []
            for gradient in gradients where folded.insert(gradient.stepGradientOffset).inserted {
                out.line("Self.\(gradient.kernel.function)_fold(\(PointerExpression.offset("stepGradients", by: gradient.stepGradientOffset)), \(PointerExpression.offset("gradients", by: gradient.kernelParameters)))")
            }
        }
    }

    /// The backward functions of a graph's merges, with what each input's slot already holds.
    private var mergeBackwards: [MergeBackwardEmitter] {
        program.stepsRun.compactMap { step in
            guard case .mergeBackward(let index, let accumulates, let leftInG) = step else { return nil }
            return mergeBackward(index, accumulates: accumulates, leftInG: leftInG)
        }
    }

    private func mergeBackward(_ index: Int, accumulates: [Bool], leftInG: Int?) -> MergeBackwardEmitter {
        MergeBackwardEmitter(function: model.nodes[index].function, kernel: model.nodes[index].kernel, accumulates: accumulates, leftInG: leftInG)
    }

    /// The name of a graph tensor's gradient slot (-1: the model's input, -2 its second, …).
    private func slot(_ tensor: Int) -> String {
        guard tensor < 0 else { return "e\(tensor)" }
        let input = GradientRoutes.input(tensor)
        return input == 0 ? "eInput" : "eInput\(input)"
    }

    /// The element count of a tensor (-1, -2, …: the model's inputs).
    private func count(_ tensor: Int) -> Int {
        tensor < 0 ? model.inputLayout.slots[GradientRoutes.input(tensor)].shape.elementCount : layers[tensor].outputShape.elementCount
    }

    private func writesInputGradient(_ index: Int) -> Bool { arena.writesInputGradient(index) }

    /// Whether a layer's dL/dx serves only the caller's dL/d(input): every
    /// layer it reads runs its backward pass for that alone (a Rescaling or an
    /// augmentation layer before the first convolution). Computing it anyway
    /// cost a 96x96x3 model with a Rescaling first 62% more a training step.
    private func inputGradientOnlyBelow(_ index: Int) -> Bool {
        let reads = model.nodes[index].layer.inputs
        return !reads.isEmpty && reads.allSatisfy { tensor in
            if case .layer(let source) = tensor { program.backwardOnlyForInput[source] } else { false }
        }
    }

    /// One phase or part: the arena pointers it names (and only those, so
    /// that no declaration goes unused), then its steps.
    private func emit(values: [TrainingValue], steps: [TrainingStep], into out: inout SourceWriter) {
        for value in values {
            switch value {
            case .output(let index):
                if case .slot(let offset) = arena.outputs[index] { out.line("let o\(index) = \(PointerExpression.offset("arena", by: offset))") }
            case .mask(let index):
                if let offset = arena.masks[index] { out.line("let m\(index) = \(PointerExpression.offset("arena", by: offset))") }
            case .intermediate(let index):
                if let offset = arena.intermediates[index] { out.line("let t\(index) = \(PointerExpression.offset("arena", by: offset))") }
            case .outputGradient(let index):
                if let offset = arena.outputGradients[index] { out.line("let d\(index) = \(PointerExpression.offset("arena", by: offset))") }
            case .gradientSlot(let tensor):
                if let offset = arena.gradientSlots[tensor] { out.line("let \(slot(tensor)) = \(PointerExpression.offset("arena", by: offset))") }
            case .preActivation(let index):
                if let offset = arena.preActivations[index] { out.line("let z\(index) = \(PointerExpression.offset("arena", by: offset))") }
            case .input:
                break
            }
        }
        var previous: TrainingStep?
        for step in steps {
            emit(step, after: previous, into: &out)
            previous = step
        }
    }

    private func emit(_ step: TrainingStep, after previous: TrainingStep?, into out: inout SourceWriter) {
        switch step {
        case .note(let text):
            out.line("// \(text)")
        case .forward(let index):
            emitForward(index, into: &out)
        case .addBatchStatistics(let number):
            let normalization = program.normalizations[number]
            out.line("Self.\(normalization.function)_statistics(\(source(normalization.index)), sums)")
        case .copyOutput:
            for (output, slot) in zip(program.outputs, model.outputLayout.slots) {
                out.line("\(PointerExpression.offset("output", by: slot.offset)).update(from: \(name(output)), count: \(slot.shape.elementCount))")
            }
        case .loss:
            emitLoss(into: &out)
        case .backward(let index):
            // The first of a run of backward steps says what g holds.
            if case .backward? = previous {} else {
                out.line("// Backward: g holds dL/d(this layer's output); each layer writes dL/d(its input).")
            }
            emitBackward(index, into: &out)
        case .keepGradientAndAddSums(let number):
            let normalization = program.normalizations[number]
            let index = normalization.index
            out.line("// \(normalization.layer.name): dL/dy waits for the whole batch's sums")
            if gradientsKeptInPlace.contains(number) {
                // The next phase starts with this layer's backward step, before anything writes g or h:
                // dL/dy stays where it is; the first float of its slot says in which of the two.
                out.line("d\(index)[0] = g == \(gradientBuffer(0)) ? 0 : 1")
            } else {
                out.line("d\(index).update(from: g, count: \(normalization.layer.outputShape.elementCount))")
            }
            out.line("Self.\(normalization.function)_gradientSums(\(source(index)), UnsafePointer(g), statistics, gradients, sums)")
        case .normalizationBackward(let number):
            let normalization = program.normalizations[number]
            let stop = normalization.index
            let x = source(stop)
            var dy = "UnsafePointer(d\(stop))"
            if gradientsKeptInPlace.contains(number) {
                // dL/dy where the phase before left it: in g's buffer (then this runs in place) or h's.
                out.line("let dy\(stop) = UnsafePointer(d\(stop)[0] == 0 ? \(gradientBuffer(0)) : \(gradientBuffer(1)))")
                dy = "dy\(stop)"
            }
            if writesInputGradient(stop) {
                out.line("if let inputGradient { Self.\(normalization.function)_backward(\(x), \(dy), statistics, k, inputGradient) }")
            } else {
                out.line("Self.\(normalization.function)_backward(\(x), \(dy), statistics, k, g)")
            }
        case .finish(let returnsLoss):
            out.line(returnsLoss ? "return value" : "return 0")
        case .callPart(let number):
            let arguments = partParameters.map { $0.type.hasPrefix("inout ") ? "&\($0.name)" : $0.name }
            out.line("trainingPart\(number)(\(arguments.joined(separator: ", ")))")
        case .loadGradient(let index):
            out.line("// \(layers[index].name): dL/d(output), summed over its readers")
            out.line("g.update(from: \(slot(index)), count: \(count(index)))")
        case .deliverGradient(let tensor, let accumulates):
            if accumulates {
                out.line("for i in 0..<\(count(tensor)) { \(slot(tensor))[i] += g[i] }")
            } else {
                out.line("\(slot(tensor)).update(from: g, count: \(count(tensor)))")
            }
        case .gatherGradient(let tensor):
            out.line("// \(tensor < 0 ? "the input" : layers[tensor].name): dL/d(output), g plus what its other readers left in its slot")
            out.line("for i in 0..<\(count(tensor)) { g[i] += \(slot(tensor))[i] }")
        case .mergeBackward(let index, let accumulates, let leftInG):
            let reads = layers[index].inputs.map(GradientRoutes.tensor)
            out.line("// \(layers[index].name)")
            if let leftInG { out.line("// dL/dx\(leftInG) is dy: it stays in g") }
            out.line(mergeBackward(index, accumulates: accumulates, leftInG: leftInG).call(dy: "UnsafePointer(g)", inputs: reads.map(readable), output: readable(index), slots: reads.map(slot)))
        case .copyInputGradient:
            for (input, slot) in model.inputLayout.slots.enumerated() {
                // Optional chaining: `inputGradient?.advanced(by: n).update(…)` runs only when given.
                let place = PointerExpression.offset("inputGradient?", by: slot.offset)
                if arena.gradientSlots[-1 - input] != nil {
                    out.line("\(place).update(from: \(self.slot(-1 - input)), count: \(slot.shape.elementCount))")
                } else {
                    out.line("// \(slot.name): no layer reads it, so its gradient is 0")
                    out.line("\(place).update(repeating: 0, count: \(slot.shape.elementCount))")
                }
            }
        case .forInputGradient(let steps):
            out.line("// Below here no weight trains: only the caller's dL/d(input) needs the rest.")
            out.block("if inputGradient != nil") { out in
                var inner = previous
                for step in steps {
                    emit(step, after: inner, into: &out)
                    inner = step
                }
            }
        }
    }

    /// The name of the pointer to layer `index`'s output (an input's place in the packed sample for -1, -2, …).
    private func name(_ index: Int) -> String {
        switch arena.storage(of: index) {
        case .output(let slot): "o\(slot)"
        case .input(let input): PointerExpression.offset("input", by: model.inputLayout.slots[input].offset)
        default: "input"
        }
    }

    private func readable(_ index: Int) -> String {
        if case .input = arena.storage(of: index) { return name(index) }
        return "UnsafePointer(\(name(index)))"
    }

    /// The readable pointer to what layer `index` reads first.
    private func source(_ index: Int) -> String { readable(arena.firstReads[index]) }

    private func trainingOnly(_ index: Int) -> TrainingOnlyLayer? {
        program.trainingOnly.first { $0.index == index }
    }

    private func emitForward(_ index: Int, into out: inout SourceWriter) {
        let node = model.nodes[index]
        let layer = node.layer
        let function = node.function
        let packedWeights = node.packedWeights
        let source = source(index)
        let target = "o\(index)"
        switch layer.operation {
        case .conv2D, .depthwiseConv2D, .conv2DTranspose, .dense:
            var reads = source
            var kernel = function, scratch = "", weightsRead = packedWeights
            if case .convolution(let kernels) = node.kernel, var winograd = kernels.trainingWinograd {
                if let forward = program.winogradTrainingForwards.first(where: { $0.layer == index }) {
                    winograd = forward.kernel
                    weightsRead = PointerExpression.offset("statistics", by: batchStatisticsCount + forward.stepWeightsOffset)
                }
                let padded = PointerExpression.offset("arena", by: arena.winogradPaddedOffset)
                out.line("Self.\(winograd.padding.function)(\(source), \(padded))")
                reads = "UnsafePointer(\(padded))"
                kernel = winograd.kernel.function
                scratch = ", " + PointerExpression.offset("arena", by: arena.winogradScratchOffset)
            } else {
                if let padding = layer.padding, padding != .zero, !node.kernel.padsItself {
                    out.line("Self.\(function)_pad(\(source), p)")
                    reads = "UnsafePointer(p)"
                }
            }
            let activation = layer.operation.fusedActivation
            if arena.preActivations[index] != nil {
                // The pre-activation stays for the derivative, which reads it.
                out.line("Self.\(kernel)(\(reads), \(weightsRead), z\(index)\(scratch))")
                out.line("\(target).update(from: z\(index), count: \(layer.outputShape.elementCount))")
            } else {
                out.line("Self.\(kernel)(\(reads), \(weightsRead), \(target)\(scratch))")
            }
            if activation != .linear && activation != .relu { out.line("Self.\(function)_activation(\(target))") }
        case .separableConv2D(let config):
            var reads = source
            if let padding = layer.padding, padding != .zero, !node.kernel.padsItself {
                out.line("Self.\(function)_pad(\(source), p)")
                reads = "UnsafePointer(p)"
            }
            out.line("Self.\(function)_depthwise(\(reads), \(packedWeights), t\(index))")
            if arena.preActivations[index] != nil {
                out.line("Self.\(function)_pointwise(UnsafePointer(t\(index)), \(packedWeights), z\(index))")
                out.line("\(target).update(from: z\(index), count: \(layer.outputShape.elementCount))")
            } else {
                out.line("Self.\(function)_pointwise(UnsafePointer(t\(index)), \(packedWeights), \(target))")
            }
            if config.activation != .linear && config.activation != .relu { out.line("Self.\(function)_activation(\(target))") }
        case .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D, .zeroPadding2D, .cropping2D, .upSampling2D,
             .resizing, .permute, .repeatVector:
            out.line("Self.\(function)(\(source), \(target))")
        case .flatten, .reshape:
            out.line("// \(layer.name): the same memory as its input")
        case .merge, .concatenate:
            let sources = layer.inputs.map { readable(GradientRoutes.tensor($0)) }.joined(separator: ", ")
            if let fused = program.mergeReLUs.first(where: { $0.producer == index }), case .merge(let merge) = node.kernel {
                // With its ReLU: inference's clamping copy, into the ReLU's output.
                out.line("Self.\(merge.fusedFunction)(\(sources), \(name(fused.relu)))")
            } else {
                out.line("Self.\(function)(\(sources), \(target))")
            }
        case .identityAtInference:
            if let trainingOnly = trainingOnly(index) {
                out.line(trainingOnly.forwardCall(x: source, y: target, mask: "m\(index)"))
            }
        case .dropout(let config):
            let count = layer.outputShape.elementCount
            let keep = 1 - config.rate
            let draw = "random.nextUnit() < \(keep) ? Float(1 / \(keep)) : 0"
            guard let mask = config.sampleMaskShape(for: layer.inputShape) else {
                out.line("// \(layer.name): inverted dropout, each value kept with probability \(keep) and scaled by 1/\(keep)")
                out.block("do", opening: " {") { out in
                    out.line("var random = SplitMix64(seed: dropoutSeed, stream: \(index))")
                    out.line(Index.loopLine("i", count: count) { i in "m\(index)[\(i)] = \(draw); \(target)[\(i)] = \(source)[\(i)] * m\(index)[\(i)]" })
                }
                return
            }
            let cells = mask.reduce(1, *)
            out.line("// \(layer.name): inverted dropout with noise_shape, \(cells) draw(s) of a \(mask.map(String.init).joined(separator: "x")) mask shared along its axes of size 1,")
            out.line("// spread over the sample from the last value down (a value's draw never lies after it)")
            out.block("do", opening: " {") { out in
                out.line("var random = SplitMix64(seed: dropoutSeed, stream: \(index))")
                out.line("for cell in 0..<\(cells) { m\(index)[cell] = \(draw) }")
                out.line("for i in stride(from: \(count - 1), through: 0, by: -1) { m\(index)[i] = m\(index)[\(Self.maskCell(of: "i", shape: layer.inputShape.dimensions, mask: mask))]; \(target)[i] = \(source)[i] * m\(index)[i] }")
            }
        case .activation, .relu, .elu, .softmax, .rescaling, .normalization, .layerNormalization, .prelu:
            if let fused = program.relusInStore.first(where: { $0.relu == index }) {
                out.line("// \(layer.name): written by \(layers[fused.producer].name)'s store")
                return
            }
            if BackwardEmitter.runsForwardOutOfPlace(layer.operation) {
                out.line("Self.\(function)_forward(\(source), \(target))")
                return
            }
            out.line("\(target).update(from: \(source), count: \(layer.outputShape.elementCount))")
            let needsWeights = if case .inPlace(let kernel) = node.kernel { kernel.needsWeights } else { false }
            out.line(needsWeights ? "Self.\(function)(\(target), w)" : "Self.\(function)(\(target))")
        case .batchNormalization:
            if let normalization = program.normalizations.first(where: { $0.index == index }) {
                // With its ReLU fused, it writes the ReLU's output instead of its own.
                out.line("Self.\(normalization.function)_normalize(\(source), statistics, k, \(normalization.fusedReLU.map { name($0.relu) } ?? target))")
            } else {
                // Frozen: inference mode, the moving statistics folded into the packed scale and shift.
                out.line("\(target).update(from: \(source), count: \(layer.outputShape.elementCount))")
                out.line("Self.\(function)(\(target), w)")
            }
        case .oneDimensional, .layerScale:
            break  // none: the plan lowered each to its 2D counterpart (`loweredToImages`)
        }
    }

    /// The index in a mask of shape `mask` of the draw that value `i` of a
    /// tensor of shape `shape` uses: its coordinates, 0 along the mask's axes of size 1.
    static func maskCell(of i: String, shape: [Int], mask: [Int]) -> String {
        var terms: [String] = []
        for axis in shape.indices where mask[axis] != 1 {
            let stride = shape[(axis + 1)...].reduce(1, *), maskStride = mask[(axis + 1)...].reduce(1, *)
            let coordinate = axis == 0 ? "\(i) / \(stride)" : "(\(i) / \(stride)) % \(shape[axis])"
            terms.append(maskStride == 1 ? coordinate : "\(coordinate) * \(maskStride)")
        }
        return terms.isEmpty ? "0" : terms.joined(separator: " + ")
    }

    private func emitLoss(into out: inout SourceWriter) {
        let penalties = program.trainingOnly.compactMap { $0.penaltyCall(x: source($0.index)) }
        let slots = model.outputLayout.slots
        if program.fusedOutput != nil {
            out.line("// The loss, and its gradient: with respect to the output, or to the")
            out.line("// output layer's pre-activation when the two fuse into the stable y - t.")
            let (count, channels) = (slots[0].shape.elementCount, slots[0].shape.lastAxis)
            out.line("\(penalties.isEmpty ? "let" : "var") value = loss.value(0, output, target, count: \(count), channels: \(channels))")
            for penalty in penalties { out.line("value += \(penalty)  // ActivityRegularization joins the loss") }
            out.line("let fused = loss.fuses(0, with: Self.outputActivation)")
            out.line("loss.gradient(0, output, target, count: \(count), channels: \(channels), fused: fused, into: g)")
            return
        }
        out.line("// The loss: each output's, weighted, summed. Its gradient with respect to")
        out.line("// each output seeds that output's slot, which its readers add to.")
        out.line("var value: Float = 0")
        for (number, (output, slot)) in zip(program.outputs, slots).enumerated() {
            let (y, t) = (PointerExpression.offset("output", by: slot.offset), PointerExpression.offset("target", by: slot.offset))
            let (count, channels) = (slot.shape.elementCount, slot.shape.lastAxis)
            out.line("value += loss.value(\(number), \(y), \(t), count: \(count), channels: \(channels))  // \(slot.name)")
            out.line("loss.gradient(\(number), \(y), \(t), count: \(count), channels: \(channels), fused: false, into: \(self.slot(output)))")
        }
        for penalty in penalties { out.line("value += \(penalty)  // ActivityRegularization joins the loss") }
    }

    private func emitBackward(_ index: Int, into out: inout SourceWriter) {
        let node = model.nodes[index]
        let layer = node.layer
        let function = node.function
        let (k, gradients) = (node.parameterWeights, node.parameterGradients)
        let x = source(index)
        let y = readable(index)
        let last = index == program.fusedOutput
        // The first layer writes straight into inputGradient, or skips dL/dx;
        // one after layers that need dL/dy only for it skips dL/dx likewise.
        let first = writesInputGradient(index)
        let onlyForInput = !first && inputGradientOnlyBelow(index)
        let into = first ? "inputGradient" : (onlyForInput ? "inputGradient == nil ? nil : h" : "h")
        let swap = first ? "" : "; swap(&g, &h)"
        out.line("// \(layer.name)")
        switch layer.operation {
        case .conv2D, .depthwiseConv2D, .conv2DTranspose, .dense:
            if layer.operation.fusedActivation != .linear {
                let reads = arena.preActivations[index] == nil ? y : "UnsafePointer(z\(index)), \(y)"
                out.line(last ? "if !fused { Self.\(function)_derivative(\(reads), g) }" : "Self.\(function)_derivative(\(reads), g)")
            }
            // The padded input; dL/dx padded too, then cropped, unless the backward writes it unpadded.
            let padded = layer.padding.map { $0 != .zero } ?? false
            let bordered = PointerExpression.offset("arena", by: arena.winogradPaddedOffset)
            let scratch = PointerExpression.offset("arena", by: arena.winogradScratchOffset)
            // dL/dkernel by Winograd's adjoint reads the input as the forward Winograd kernel does;
            // the direct sums read it padded in `p`.
            var input = padded ? "UnsafePointer(p)" : x
            if let winograd = program.winogradKernelGradients.first(where: { $0.layer == index }) {
                // This sample's part of the batch's S, among the step gradients after the parameters'.
                let sums = PointerExpression.offset("gradients", by: weights.parameterCount + winograd.stepGradientOffset)
                out.line("Self.\(winograd.padding.function)(\(x), \(bordered)); Self.\(winograd.kernel.function)(UnsafePointer(\(bordered)), UnsafePointer(g), \(sums), \(scratch))")
                input = x
            } else if padded {
                out.line("Self.\(function)_pad(\(x), p)")
            }
            if let winograd = program.winogradInputGradients.first(where: { $0.layer == index }) {
                // dL/dbias (and dL/dkernel unless done above), then dL/dx by Winograd from dL/dz bordered in the arena.
                out.line("Self.\(function)_backward(\(input), UnsafePointer(g), \(k), \(gradients), nil)")
                let turned = PointerExpression.offset("statistics", by: batchStatisticsCount + winograd.stepWeightsOffset)
                let kernel = winograd.kernel
                let target = first ? "inputGradient" : "h"
                let calls = "Self.\(kernel.padding.function)(UnsafePointer(g), \(bordered)); Self.\(kernel.kernel.function)(UnsafePointer(\(bordered)), \(turned), \(target), \(scratch))"
                out.line(first ? "if let inputGradient { \(calls) }" : onlyForInput ? "if inputGradient != nil { \(calls) }\(swap)" : calls + swap)
            } else if padded && InputGradientConvolution.applies(to: layer) {
                out.line("Self.\(function)_backward(\(input), UnsafePointer(g), \(k), \(gradients), \(into))\(swap)")
            } else if padded {
                out.line("Self.\(function)_backward(\(input), UnsafePointer(g), \(k), \(gradients), \(first || onlyForInput ? "inputGradient == nil ? nil : q" : "q"))")
                if first {
                    out.line("if let inputGradient { Self.\(function)_unpad(UnsafePointer(q), inputGradient) }")
                } else if onlyForInput {
                    out.line("if inputGradient != nil { Self.\(function)_unpad(UnsafePointer(q), h) }\(swap)")
                } else {
                    out.line("Self.\(function)_unpad(UnsafePointer(q), h)\(swap)")
                }
            } else {
                out.line("Self.\(function)_backward(\(x), UnsafePointer(g), \(k), \(gradients), \(into))\(swap)")
            }
        case .separableConv2D:
            if layer.operation.fusedActivation != .linear {
                let reads = arena.preActivations[index] == nil ? y : "UnsafePointer(z\(index)), \(y)"
                out.line(last ? "if !fused { Self.\(function)_derivative(\(reads), g) }" : "Self.\(function)_derivative(\(reads), g)")
            }
            // dL/d(depthwise result) into h, then dL/dx back into g (or the caller's inputGradient).
            out.line("Self.\(function)_pointwise_backward(UnsafePointer(t\(index)), UnsafePointer(g), \(k), \(gradients), h)")
            let padded = layer.padding.map { $0 != .zero } ?? false
            if padded {
                out.line("Self.\(function)_pad(\(x), p)")
                out.line("Self.\(function)_depthwise_backward(UnsafePointer(p), UnsafePointer(h), \(k), \(gradients), \(first ? "inputGradient == nil ? nil : q" : "q"))")
                out.line(first ? "if let inputGradient { Self.\(function)_unpad(UnsafePointer(q), inputGradient) }" : "Self.\(function)_unpad(UnsafePointer(q), g)")
            } else {
                out.line("Self.\(function)_depthwise_backward(\(x), UnsafePointer(h), \(k), \(gradients), \(first ? "inputGradient" : "g"))")
            }
        case .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D, .zeroPadding2D:
            if first {
                out.line("if let inputGradient { Self.\(function)_backward(\(x), UnsafePointer(g), inputGradient) }")
            } else {
                out.line("Self.\(function)_backward(\(x), UnsafePointer(g), h)\(swap)")
            }
        case .cropping2D, .upSampling2D, .resizing, .permute, .repeatVector:
            if first {
                out.line("if let inputGradient { Self.\(function)_backward(UnsafePointer(g), inputGradient) }")
            } else {
                out.line("Self.\(function)_backward(UnsafePointer(g), h)\(swap)")
            }
        case .layerNormalization, .prelu:
            // Their weights' gradients into `gradients`, dL/dx in g in place.
            out.line("Self.\(function)_backward(\(x), \(k), \(gradients), g)")
            if first { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
        case .rescaling, .normalization,
             .batchNormalization where layer.frozen:
            // A frozen BatchNormalization runs in inference mode: a scale per channel.
            out.line("Self.\(function)_backward(k, g)")
            if first { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
        case .flatten, .reshape:
            out.line("// passes the gradient through")
            if first { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
        case .identityAtInference:
            if let call = trainingOnly(index)?.backwardCall(x: x, mask: "m\(index)") { out.line(call) }
            if first { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
        case .dropout:
            out.line("for i in 0..<\(layer.outputShape.elementCount) { g[i] *= m\(index)[i] }")
            if first { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
        case .activation(.linear):
            if first { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
        case .activation, .softmax, .relu, .elu:
            // A fused loss already gave dL/d(pre-activation) for the output layer.
            // A ReLU run in the store of the layer before has only its output, positive where its input is.
            let fused = program.relusInStore.contains { $0.relu == index }
            let call = "Self.\(function)_derivative(\(fused ? y : x), \(y), g)"
            out.line(last ? "if !fused { \(call) }" : call)
            if first { out.line("inputGradient?.update(from: g, count: \(layer.inputShape.elementCount))") }
        case .batchNormalization, .merge, .concatenate:
            // Steps of their own: see TrainingPlanner (normalizationBackward, mergeBackward).
            break
        case .oneDimensional, .layerScale:
            break  // none: the plan lowered each to its 2D counterpart (`loweredToImages`)
        }
    }
}
