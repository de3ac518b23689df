/// Plans a training step (see `TrainingProgram`): the arena slots, the
/// phases between BatchNormalization layers, and the values each phase names.
///
/// Phase t < B (B the number of normalizations) runs forward from the
/// previous normalization (normalizing with the batch's statistics) to the
/// next, and adds this sample's part of its input's statistics. Phase B runs
/// forward to the output, takes the loss and runs backward to the last
/// normalization's output, adding its gradient sums. Each later phase goes
/// back through one normalization to the one before it, the last to the input.
enum TrainingPlanner {
    static func plan(_ model: CheckedModel, weights: WeightPlan, nodes: [NodeProgram]) -> TrainingProgram {
        let outputActivations = model.outputActivations
        if let gap = model.trainingGap { return .unsupported(gap.message, outputActivation: outputActivations[0]) }
        let trainingOnly = model.layers.indices.compactMap { index -> TrainingOnlyLayer? in
            // A shared ActivityRegularization's earlier calls add no penalty in Keras 3 (`isLastCall`).
            if case .identityAtInference(.activityRegularization) = model.layers[index].operation, !model.isLastCall(index) { return nil }
            return TrainingOnlyLayer(layer: model.layers[index], index: index)
        }
        let routes = GradientRoutes(model)
        let arena = arena(model, trainingOnly: trainingOnly, routes: routes)
        let normalizations = NormalizationTraining.plan(model: model, weights: weights)
        let mergeReLUs = ReLUInStore.merges(model, nodes: nodes)
        let inStore = normalizations.compactMap(\.fusedReLU) + mergeReLUs
        func named(_ steps: [TrainingStep]) -> [TrainingValue] {
            values(named: steps, model: model, routes: routes, arena: arena, trainingOnly: trainingOnly,
                   normalizations: normalizations, inStore: inStore)
        }
        var parts: [TrainingPart] = []
        let phases = phaseSteps(model, normalizations: normalizations, routes: routes).map { steps in
            let steps = outliningLongRuns(steps, fusedOutput: fusedOutput(model, routes: routes), into: &parts, values: named)
            return TrainingPhase(steps: steps, values: named(steps))
        }
        var program = TrainingProgram(
            arena: arena, normalizations: normalizations, trainingOnly: trainingOnly, phases: phases, parts: parts,
            outputActivation: outputActivations[0], outputs: model.outputs.map(GradientRoutes.tensor), outputActivations: outputActivations,
            fusedOutput: fusedOutput(model, routes: routes), frozenParameters: frozenParameters(model, weights: weights),
            swapsGradients: false)
        program.mergeReLUs = mergeReLUs
        program.backwardOnlyForInput = inputGradientOnly(model, routes: routes)
        program.movingStatisticsOrder = movingStatisticsOrder(model, normalizations: normalizations)
        program.swapsGradients = program.stepsRun.contains { step in
            guard case .backward(let index) = step else { return false }
            return !arena.writesInputGradient(index) && backwardAlternatesBuffers(model.layers[index].operation)
        }
        return program
    }

    /// A phase of more than `ModelProgram.layersPerFunction` steps with its
    /// runs of layer steps moved into parts (functions of their own) of at most
    /// that many steps each, because the compiler's time grows faster than a
    /// function's length. The loss and what reads its local values (the output
    /// layer's backward step, which asks whether the loss fused with it) stay.
    private static func outliningLongRuns(_ steps: [TrainingStep], fusedOutput: Int?, into parts: inout [TrainingPart],
                                          values: ([TrainingStep]) -> [TrainingValue]) -> [TrainingStep] {
        let limit = ModelProgram.layersPerFunction
        guard steps.count > limit else { return steps }
        func movable(_ step: TrainingStep) -> Bool {
            step.leaves.allSatisfy { leaf in
                switch leaf {
                case .loss, .finish, .copyOutput, .callPart: false
                case .backward(let index): index != fusedOutput
                default: true
                }
            }
        }
        var result: [TrainingStep] = [], run: [TrainingStep] = []
        func endRun() {
            for start in stride(from: 0, to: run.count, by: limit) {
                let piece = Array(run[start..<min(start + limit, run.count)])
                result.append(.callPart(parts.count))
                parts.append(TrainingPart(steps: piece, values: values(piece)))
            }
            run = []
        }
        for step in steps {
            if movable(step) {
                run.append(step)
            } else {
                endRun()
                result.append(step)
            }
        }
        endRun()
        return result
    }

    /// The frozen layers' slices of the parameter buffer, neighbours joined.
    private static func frozenParameters(_ model: CheckedModel, weights: WeightPlan) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for index in model.layers.indices where model.layers[index].frozen && model.layers[index].sharesWeightsOf == nil {
            guard let slice = weights.layerParameters[index] else { continue }
            if let last = ranges.last, last.upperBound == slice.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound..<slice.upperBound
            } else {
                ranges.append(slice)
            }
        }
        return ranges
    }

    /// Whether a layer's backward pass writes dL/dx to `h` and then swaps `g` and `h`
    /// (the others work on `g` in place).
    static func backwardAlternatesBuffers(_ operation: LayerOperation) -> Bool {
        switch operation {
        case .conv2D, .depthwiseConv2D, .conv2DTranspose, .dense, .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D, .zeroPadding2D,
             .cropping2D, .upSampling2D, .resizing, .permute, .repeatVector: true
        default: false
        }
    }

    /// The one output layer whose loss gradient may fuse with its activation
    /// (see `TrainingProgram.fusedOutput`).
    private static func fusedOutput(_ model: CheckedModel, routes: GradientRoutes) -> Int? {
        guard model.outputs.count == 1, case .layer(let index) = model.outputs[0], !routes.needsSlot(index) else { return nil }
        return index
    }

    private static func arena(_ model: CheckedModel, trainingOnly: [TrainingOnlyLayer], routes: GradientRoutes) -> TrainingArena {
        var arena = TrainingArena()
        arena.firstReads = routes.firstReads
        var offset = 0
        var largestPadded = 0
        // Every input's dL/dx passes through the scratch too, not only the first's: a second
        // input larger than any layer's output overran the arena (a random-graph fuzz found it).
        arena.largestActivation = model.inputs.map(\.shape.elementCount).max() ?? 0
        for (index, layer) in model.layers.enumerated() {
            let count = layer.outputShape.elementCount
            arena.largestActivation = max(arena.largestActivation, count)
            switch layer.operation {
            case .flatten, .reshape:
                arena.outputs.append(.alias)
            case .identityAtInference:
                let layerOnlyInTraining = trainingOnly.first { $0.index == index }
                if layerOnlyInTraining?.aliasesInput ?? true {
                    arena.outputs.append(.alias)
                } else {
                    arena.outputs.append(.slot(offset: offset))
                    offset += count
                }
                if let maskCount = layerOnlyInTraining?.maskCount {
                    arena.masks[index] = offset
                    offset += maskCount
                }
            case .dropout:
                arena.outputs.append(.slot(offset: offset))
                arena.masks[index] = offset + count
                offset += 2 * count
            case .batchNormalization where !layer.frozen:
                arena.outputs.append(.slot(offset: offset))
                arena.outputGradients[index] = offset + count
                offset += 2 * count
            case .separableConv2D(let config):
                arena.outputs.append(.slot(offset: offset))
                // Its depthwise result; dL/d(it) passes through g and h, so they must hold it too.
                let middle = count / layer.outputShape.lastAxis * layer.inputShape.lastAxis * config.depthMultiplier
                arena.intermediates[index] = offset + count
                arena.largestActivation = max(arena.largestActivation, middle)
                offset += count + middle
                if config.activation.derivativeReadsInput {
                    arena.preActivations[index] = offset
                    offset += count
                }
            default:
                arena.outputs.append(.slot(offset: offset))
                offset += count
                if layer.operation.fusedActivation.derivativeReadsInput {
                    arena.preActivations[index] = offset
                    offset += count
                }
            }
            if let padding = layer.padding, padding != .zero, layer.operation.padsItsInput {
                let padded = (layer.inputShape.dimensions[0] + padding.top + padding.bottom)
                    * (layer.inputShape.dimensions[1] + padding.left + padding.right) * layer.inputShape.lastAxis
                largestPadded = max(largestPadded, padded)
            }
        }
        // Graphs: the gradient slots of tensors read by several layers or by a merge.
        for tensor in routes.inputTensors.reversed() + Array(model.layers.indices) where routes.needsSlot(tensor) {
            arena.gradientSlots[tensor] = offset
            offset += tensor < 0 ? model.inputs[GradientRoutes.input(tensor)].shape.elementCount : model.layers[tensor].outputShape.elementCount
        }
        arena.paddedOffset = offset
        arena.paddedGradientOffset = offset + largestPadded
        arena.gradientOffset = arena.paddedGradientOffset + largestPadded
        arena.total = arena.gradientOffset + 2 * arena.largestActivation
        return arena
    }

    /// The normalizations in layer order, but the calls of a shared one in
    /// the order Keras runs them (`KerasExecutionOrder`): the updates of
    /// different layers touch different statistics, so only a shared
    /// layer's calls need Keras's order among themselves.
    private static func movingStatisticsOrder(_ model: CheckedModel, normalizations: [NormalizationTraining]) -> [Int] {
        var order = Array(normalizations.indices)
        let calls = Dictionary(grouping: normalizations.indices) { normalizations[$0].meanOffset }.values.filter { $0.count > 1 }
        guard !calls.isEmpty else { return order }
        let ranks = KerasExecutionOrder.ranks(of: model)
        for slots in calls {
            let run = slots.sorted { ranks[normalizations[$0].index] < ranks[normalizations[$1].index] }
            for (slot, number) in zip(slots, run) { order[slot] = number }
        }
        return order
    }

    private static func phaseSteps(_ model: CheckedModel, normalizations: [NormalizationTraining], routes: GradientRoutes) -> [[TrainingStep]] {
        let layerCount = model.layers.count
        let inputGradientOnly = inputGradientOnly(model, routes: routes)
        // A layer's backward steps: its summed gradient into `g` (graphs), its
        // own pass, and dL/d(its input) into that tensor's slot when it has one.
        func backward(_ index: Int) -> [TrainingStep] {
            let steps = ownBackward(index)
            return inputGradientOnly[index] ? [.forInputGradient(steps)] : steps
        }
        func ownBackward(_ index: Int) -> [TrainingStep] {
            var steps: [TrainingStep] = routes.needsSlot(index) ? [.loadGradient(layer: index)] : []
            switch model.layers[index].operation {
            case .merge, .concatenate:
                let accumulates = model.layers[index].inputs.indices.map { position in
                    !routes.isFirstContribution(to: routes.reads[index][position], from: .init(layer: index, position: position))
                }
                steps.append(.mergeBackward(layer: index, accumulates: accumulates))
            default:
                steps.append(.backward(layer: index))
                steps += deliver(from: index)
            }
            return steps
        }
        func deliver(from index: Int) -> [TrainingStep] {
            let tensor = routes.firstReads[index]
            guard routes.needsSlot(tensor) else { return [] }
            return [.deliverGradient(tensor: tensor, accumulates: !routes.isFirstContribution(to: tensor, from: .init(layer: index, position: 0)))]
        }
        func keep(_ number: Int) -> [TrainingStep] {
            let index = normalizations[number].index
            return (routes.needsSlot(index) ? [.loadGradient(layer: index)] : []) + [.keepGradientAndAddSums(normalization: number)]
        }
        let stops = normalizations.map(\.index)
        var phases: [[TrainingStep]] = []
        for (number, stop) in stops.enumerated() {
            let start = number == 0 ? 0 : stops[number - 1]
            phases.append([.note("Forward, training mode, to \(model.layers[stop].name): every layer's output stays for the backward pass.")]
                + (start..<stop).map { .forward(layer: $0) }
                + [.addBatchStatistics(normalization: number), .finish(returnsLoss: false)])
        }
        var lossPhase: [TrainingStep] = [.note("Forward, training mode: every layer's output stays for the backward pass.")]
        lossPhase += ((stops.last ?? 0)..<layerCount).map { .forward(layer: $0) }
        lossPhase += [.copyOutput, .loss]
        lossPhase += ((stops.last.map { $0 + 1 } ?? 0)..<layerCount).reversed().flatMap(backward)
        if !normalizations.isEmpty { lossPhase += keep(normalizations.count - 1) }
        lossPhase.append(.finish(returnsLoss: true))
        phases.append(lossPhase)
        for number in stride(from: stops.count - 1, through: 0, by: -1) {
            let stop = stops[number]
            var steps: [TrainingStep] = [.note("Backward through \(model.layers[stop].name), with the batch's mean(dy) and mean(dy·x̂)")]
            // A trained BatchNormalization is never input-gradient-only: it trains.
            steps += [TrainingStep.normalizationBackward(normalization: number)] + deliver(from: stop)
            if stop > 0 {
                let lower = number == 0 ? 0 : stops[number - 1] + 1
                steps += (lower..<stop).reversed().flatMap(backward)
                if number > 0 { steps += keep(number - 1) }
            }
            steps.append(.finish(returnsLoss: false))
            phases.append(steps)
        }
        // Graphs: once every reader of the model's inputs has added to their slots.
        if routes.inputTensors.contains(where: routes.needsSlot), var last = phases.popLast() {
            last.insert(.copyInputGradient, at: last.count - 1)
            phases.append(last)
        }
        return phases.map { sparingGradientCopies(joiningInputGradientRuns($0), model: model, routes: routes) }
    }

    /// Graphs: leaves out a gradient's copy into a slot and straight back into
    /// `g`. Where a tensor's slot is loaded right after its last reader's step
    /// (a residual connection's two branches meet there):
    /// - a delivery that added to the slot becomes `g += slot` (`gatherGradient`);
    ///   one that set it (the only contribution) goes with the load: `g` holds it;
    /// - a merge whose dL/d(that input) is dy itself (Add, Subtract's first input)
    ///   leaves it in `g` (`leftInG`), plus `g += slot` if other readers added first.
    /// Float addition commutes, so every sum is the one the copies made.
    static func sparingGradientCopies(_ steps: [TrainingStep], model: CheckedModel, routes: GradientRoutes) -> [TrainingStep] {
        var spared: [TrainingStep] = []
        for step in steps {
            if case .forInputGradient(let inner) = step {
                spared.append(.forInputGradient(sparingGradientCopies(inner, model: model, routes: routes)))
                continue
            }
            guard case .loadGradient(let tensor) = step, let previous = spared.last else {
                spared.append(step)
                continue
            }
            switch previous {
            case .deliverGradient(tensor, let accumulates):
                spared.removeLast()
                if accumulates { spared.append(.gatherGradient(tensor: tensor)) }
            case .mergeBackward(let layer, let accumulates, nil):
                let reads = routes.reads[layer]
                guard let position = reads.firstIndex(of: tensor), reads.count(where: { $0 == tensor }) == 1,
                      MergeBackwardEmitter.passesGradientThrough(model.layers[layer].operation, position: position) else {
                    spared.append(step)
                    continue
                }
                spared[spared.count - 1] = .mergeBackward(layer: layer, accumulates: accumulates, leftInG: position)
                if accumulates[position] { spared.append(.gatherGradient(tensor: tensor)) }
            default:
                spared.append(step)
            }
        }
        return spared
    }

    /// Per layer, whether its backward pass serves only dL/d(model input):
    /// no layer at or before it (following the tensors it reads) has weights
    /// the step trains. A BatchNormalization in training mode counts as
    /// trained: its gradient sums read dL/dy.
    static func inputGradientOnly(_ model: CheckedModel, routes: GradientRoutes) -> [Bool] {
        var trainsAtOrBefore: [Bool] = []
        for (index, layer) in model.layers.enumerated() {
            let normalizesWithTheBatch = if case .batchNormalization = layer.operation { !layer.frozen } else { false }
            // A shared layer's later call trains its first call's weights.
            let weights = layer.sharesWeightsOf.map { model.layers[$0] } ?? layer
            let trains = weights.trainableParameters > 0 || normalizesWithTheBatch
            trainsAtOrBefore.append(trains || routes.reads[index].contains { $0 >= 0 && trainsAtOrBefore[$0] })
        }
        return trainsAtOrBefore.map { !$0 }
    }

    /// Neighbouring `forInputGradient` steps as one, so the generated code tests once.
    private static func joiningInputGradientRuns(_ steps: [TrainingStep]) -> [TrainingStep] {
        var joined: [TrainingStep] = []
        for step in steps {
            if case .forInputGradient(let inner) = step, case .forInputGradient(let previous)? = joined.last {
                joined[joined.count - 1] = .forInputGradient(previous + inner)
            } else {
                joined.append(step)
            }
        }
        return joined
    }

    /// The arena values a phase's steps name, each once, in the order they are
    /// declared: by layer, its output slot, then its mask, then its kept gradient.
    private static func values(named steps: [TrainingStep], model: CheckedModel, routes: GradientRoutes, arena: TrainingArena,
                               trainingOnly: [TrainingOnlyLayer], normalizations: [NormalizationTraining], inStore: [ReLUInStore]) -> [TrainingValue] {
        var named: Set<TrainingValue> = []
        for step in steps {
            named.formUnion(values(namedBy: step, model: model, routes: routes, arena: arena, trainingOnly: trainingOnly,
                                   normalizations: normalizations, inStore: inStore))
        }
        return routes.inputTensors.map(TrainingValue.gradientSlot).filter(named.contains) + model.layers.indices.flatMap { index -> [TrainingValue] in
            [TrainingValue.output(index), .intermediate(index), .mask(index), .outputGradient(index), .gradientSlot(index),
             .preActivation(index)].filter(named.contains)
        }
    }

    private static func values(namedBy step: TrainingStep, model: CheckedModel, routes: GradientRoutes, arena: TrainingArena,
                               trainingOnly: [TrainingOnlyLayer], normalizations: [NormalizationTraining], inStore: [ReLUInStore]) -> [TrainingValue] {
        func onlyInTraining(_ index: Int) -> TrainingOnlyOperation? { trainingOnly.first { $0.index == index }?.operation }
        // Where each tensor a merge reads is stored.
        func sources(_ index: Int) -> [TrainingValue] { model.layers[index].inputs.map { arena.storage(of: GradientRoutes.tensor($0)) } }
        switch step {
        case .note, .finish, .callPart:
            return []
        case .forInputGradient(let steps):
            return steps.flatMap { values(namedBy: $0, model: model, routes: routes, arena: arena, trainingOnly: trainingOnly,
                                          normalizations: normalizations, inStore: inStore) }
        case .forward(let index):
            // A ReLU run in the store of the layer before: that layer writes the ReLU's output.
            if inStore.contains(where: { $0.relu == index }) { return [] }
            let fused = inStore.first { $0.producer == index }
            let x = arena.source(of: index), y = fused.map { arena.storage(of: $0.relu) } ?? TrainingValue.output(index)
            let z: [TrainingValue] = arena.preActivations[index] != nil ? [.preActivation(index)] : []
            switch model.layers[index].operation {
            case .flatten, .reshape: return []
            case .separableConv2D: return [x, y, .intermediate(index)] + z
            case .conv2D, .depthwiseConv2D, .conv2DTranspose, .dense: return [x, y] + z
            case .merge, .concatenate: return sources(index) + [y]
            case .dropout: return [x, y, .mask(index)]
            case .identityAtInference:
                switch onlyInTraining(index) {
                case .gaussianNoise?: return [x, y]
                case .gaussianDropout?, .spatialDropout?, .randomImage?: return [x, y, .mask(index)]
                case .activityRegularization?, .identity?, nil: return []
                }
            default: return [x, y]
            }
        case .addBatchStatistics(let number):
            return [arena.source(of: normalizations[number].index)]
        case .copyOutput:
            return model.outputs.map { arena.storage(of: GradientRoutes.tensor($0)) }
        case .loss:
            return trainingOnly.filter { if case .activityRegularization = $0.operation { true } else { false } }
                .map { arena.source(of: $0.index) } + model.outputs.map(GradientRoutes.tensor).filter(routes.needsSlot).map(TrainingValue.gradientSlot)
        case .backward(let index):
            let x = arena.source(of: index), y = arena.storage(of: index)
            let operation = model.layers[index].operation
            switch operation {
            case .conv2D, .depthwiseConv2D, .conv2DTranspose, .dense:
                if arena.preActivations[index] != nil { return [x, y, .preActivation(index)] }
                return operation.fusedActivation == .linear ? [x] : [x, y]
            case .separableConv2D:
                let z: [TrainingValue] = arena.preActivations[index] != nil ? [.preActivation(index)] : []
                return [x, .intermediate(index)] + (operation.fusedActivation == .linear ? [] : [y]) + z
            case .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D, .zeroPadding2D: return [x]
            case .flatten, .reshape, .merge, .concatenate, .batchNormalization, .activation(.linear),
                 .cropping2D, .upSampling2D, .resizing, .permute, .repeatVector, .rescaling, .normalization: return []
            case .dropout: return [.mask(index)]
            case .identityAtInference:
                switch onlyInTraining(index) {
                case .gaussianDropout?, .spatialDropout?: return [.mask(index)]
                case .activityRegularization?: return [x]
                case .randomImage?: return [x, .mask(index)]
                case .gaussianNoise?, .identity?, nil: return []
                }
            case .activation, .softmax, .relu, .elu:
                return inStore.contains(where: { $0.relu == index }) ? [y] : [x, y]
            case .layerNormalization, .prelu: return [x]
            case .oneDimensional, .layerScale: return []  // none: the plan lowered each to its 2D counterpart (`loweredToImages`)
            }
        case .keepGradientAndAddSums(let number), .normalizationBackward(let number):
            let index = normalizations[number].index
            return [.outputGradient(index), arena.source(of: index)]
        case .loadGradient(let index):
            return [.gradientSlot(index)]
        case .deliverGradient(let tensor, _), .gatherGradient(let tensor):
            return [.gradientSlot(tensor)]
        case .copyInputGradient:
            return routes.inputTensors.filter(routes.needsSlot).map(TrainingValue.gradientSlot)
        case .mergeBackward(let index, _, let leftInG):
            let layer = model.layers[index]
            let slots = layer.inputs.indices.filter { $0 != leftInG }.map { TrainingValue.gradientSlot(routes.reads[index][$0]) }
            switch MergeBackwardEmitter.reads(layer.operation) {
            case .nothing: return slots
            case .inputs: return slots + sources(index)
            case .inputsAndOutput: return slots + sources(index) + [arena.storage(of: index)]
            }
        }
    }
}
