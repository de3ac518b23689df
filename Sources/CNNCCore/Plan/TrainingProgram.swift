/// How a training step runs, decided once: where every sample's tensors
/// live in its arena, the BatchNormalization layers where the samples of a
/// batch meet, and the phases between those meetings as lists of steps.
struct TrainingProgram: Codable, Hashable, Sendable {
    var arena: TrainingArena
    var normalizations: [NormalizationTraining]
    /// The order the normalizations' moving statistics move in after a
    /// step (indices into `normalizations`): Keras's order of running the
    /// calls (`KerasExecutionOrder`), which decides where a shared layer's
    /// statistics end, each call's update starting from the one before.
    var movingStatisticsOrder: [Int] = []
    /// The layers that act only in training, in layer order.
    var trainingOnly: [TrainingOnlyLayer]
    var phases: [TrainingPhase]
    /// Runs of a long phase's steps, each a function of its own (`TrainingStep.callPart`).
    var parts: [TrainingPart] = []
    /// The first output layer's activation, which decides the default loss.
    var outputActivation: Activation
    /// The layers whose outputs the model returns, in `outputLayout`'s order, and their activations.
    var outputs: [Int] = []
    var outputActivations: [Activation] = []
    /// The output layer whose backward pass may skip its activation's
    /// derivative when the loss fuses with it (the stable y - t): the only
    /// output, read by no other layer, so its gradient flows in `g` from the
    /// loss. Outputs that share a slot get the loss's dL/dy, and derive.
    var fusedOutput: Int?
    /// The parameters of layers with `trainable: false`, which Keras's fit
    /// keeps: contiguous ranges of the parameter buffer, in order.
    var frozenParameters: [Range<Int>]
    /// Whether any backward step alternates the gradient buffers `g` and `h`.
    var swapsGradients: Bool
    /// Per layer, whether its backward pass runs only for the caller's
    /// dL/d(input) (`TrainingPlanner.inputGradientOnly`, `TrainingStep.forInputGradient`).
    var backwardOnlyForInput: [Bool] = []
    /// The layers whose dL/dx runs by Winograd, in layer order, and the
    /// floats of step weights (their turned kernels) that follow the batch
    /// statistics in `statistics` (`WinogradInputGradient`).
    var winogradInputGradients: [WinogradInputGradient] = []
    var stepWeightCount = 0
    /// The layers whose training forward pass runs by F(2x2, 3x3) where
    /// inference runs by F(4x4, 3x3), their U among the step weights after
    /// the turned kernels (`WinogradTrainingForward`).
    var winogradTrainingForwards: [WinogradTrainingForward] = []
    /// The layers whose dL/dkernel runs by Winograd's adjoint, in layer order,
    /// and the floats of their step gradients (`WinogradKernelGradient`).
    var winogradKernelGradients: [WinogradKernelGradient] = []
    var stepGradientCount = 0
    /// The merges whose ReLU runs in their store (`ReLUInStore`).
    var mergeReLUs: [ReLUInStore] = []
    /// Why the model cannot be trained yet (see `CheckedModel.trainingGap`):
    /// then nothing else is planned, and the runtime refuses to train it.
    var unsupportedReason: String?

    /// The program of a model that cannot be trained yet; `cnnc evaluate`
    /// still picks its default loss from the output's activation.
    static func unsupported(_ reason: String, outputActivation: Activation) -> TrainingProgram {
        TrainingProgram(arena: TrainingArena(), normalizations: [], trainingOnly: [], phases: [], parts: [], outputActivation: outputActivation,
                        outputActivations: [outputActivation], frozenParameters: [], swapsGradients: false, unsupportedReason: reason)
    }
}

extension TrainingProgram {
    /// Every ReLU whose forward pass runs in the store of the layer before it.
    var relusInStore: [ReLUInStore] { normalizations.compactMap(\.fusedReLU) + mergeReLUs }

    /// Every step the phases run, in order, with each part's steps in its place.
    var stepsRun: [TrainingStep] {
        func expanded(_ step: TrainingStep) -> [TrainingStep] {
            if case .callPart(let number) = step { return parts[number].steps.flatMap(expanded) }
            return step.leaves
        }
        return phases.flatMap(\.steps).flatMap(expanded)
    }
}

/// Where a layer's output lives during a training step.
enum TrainingOutput: Codable, Hashable, Sendable {
    /// A slot of the arena of its own, `o<index>`.
    case slot(offset: Int)
    /// The same memory as its input (Flatten, identity layers).
    case alias
}

/// Every sample's arena during a step: one slot per computed layer output,
/// dropout masks, BatchNormalization's output gradients, pre-activations, a padded input (`p`)
/// and a padded gradient (`q`), and two gradient buffers that alternate (`g`, `h`).
///
/// In a chain, dL/d(a layer's output) is in `g` when the backward pass reaches
/// the layer. In a graph, a tensor read by several layers (or by a merge)
/// gathers its gradient from each reader in a slot of its own (`e<index>`,
/// `eInput` for the model's input), which is loaded into `g` once complete.
struct TrainingArena: Codable, Hashable, Sendable {
    var outputs: [TrainingOutput] = []
    /// The layer whose output each layer reads first (-1: the model's input).
    var firstReads: [Int] = []
    /// Where dL/d(tensor) is summed, by layer (-1: the model's input), for the
    /// tensors whose gradient does not flow in `g` from their one reader.
    var gradientSlots: [Int: Int] = [:]
    /// Dropout masks, by layer index.
    var masks: [Int: Int] = [:]
    /// dL/d(output) of each BatchNormalization layer, kept from one phase to the next.
    var outputGradients: [Int: Int] = [:]
    /// A SeparableConv2D's depthwise result, which its backward pass reads.
    var intermediates: [Int: Int] = [:]
    /// The pre-activation z of each convolution or Dense layer whose activation's
    /// derivative reads its input (silu, gelu, …: y alone does not give it back).
    var preActivations: [Int: Int] = [:]
    var paddedOffset = 0, paddedGradientOffset = 0, gradientOffset = 0, largestActivation = 0, total = 0
    /// Where the Winograd kernels put their padded input and their scratch
    /// (V and M forward and for dL/dx, V, Z and S for dL/dkernel), when the
    /// model has any (`reserveWinograd`).
    var winogradPaddedOffset = 0, winogradScratchOffset = 0

    /// Room, after everything else, for the Winograd kernels that inference
    /// chose: the training forward pass runs them too (their transformed
    /// kernel U is repacked after every update like the rest of the packed
    /// weights), faster than the direct kernel on the 3x3 layers it suits
    /// (1.5 to 2 times on ResNet-20's); and for those that compute dL/dx and dL/dkernel.
    mutating func reserveWinograd(for nodes: [NodeProgram], inputGradients: [WinogradInputGradient], kernelGradients: [WinogradKernelGradient],
                                  trainingForwards: [WinogradTrainingForward]) {
        let kernels = nodes.compactMap { node -> WinogradKernel? in
            if case .convolution(let kernels) = node.kernel { kernels.trainingWinograd } else { nil }
        } + inputGradients.map(\.kernel) + trainingForwards.map(\.kernel)
        let paddings = kernels.map(\.padding.paddedCount) + kernelGradients.map(\.padding.paddedCount)
        let scratches = kernels.map(\.kernel.scratchCount) + kernelGradients.map(\.kernel.scratchCount)
        guard let padded = paddings.max(), let scratch = scratches.max() else { return }
        winogradPaddedOffset = total
        winogradScratchOffset = total + padded
        total += padded + scratch
    }

    /// The slot holding layer `index`'s output (-1, -2, …: the model's
    /// inputs): aliases resolve to the layer whose memory they share.
    func storage(of index: Int) -> TrainingValue {
        var index = index
        while index >= 0, case .alias = outputs[index] { index = firstReads[index] }
        return index < 0 ? .input(GradientRoutes.input(index)) : .output(index)
    }

    /// Whether layer `index`'s dL/d(input) goes straight to the caller's
    /// `inputGradient` (the first layer of a chain): it reads the model's input,
    /// which has no gradient slot.
    func writesInputGradient(_ index: Int) -> Bool {
        firstReads[index] == -1 && gradientSlots[-1] == nil
    }

    /// Where the tensor layer `index` reads first is stored.
    func source(of index: Int) -> TrainingValue { storage(of: firstReads[index]) }
}

/// A per-sample value a training step names.
enum TrainingValue: Codable, Hashable, Sendable, Comparable {
    /// One of the model's inputs, by its position, in the caller's packed sample.
    case input(Int)
    /// `o<index>`: a layer's output slot.
    case output(Int)
    /// `m<index>`: a layer's dropout mask.
    case mask(Int)
    /// `d<index>`: a BatchNormalization's dL/dy, kept between phases.
    case outputGradient(Int)
    /// `e<index>` (`eInput` for -1): a graph tensor's gradient, summed over its readers.
    case gradientSlot(Int)
    /// `t<index>`: a SeparableConv2D's depthwise result.
    case intermediate(Int)
    /// `z<index>`: a convolution or Dense layer's pre-activation (`TrainingArena.preActivations`).
    case preActivation(Int)
}

/// One phase of a step: the samples of a batch run it independently, and the
/// runtime combines their BatchNormalization sums between phases.
struct TrainingPhase: Codable, Hashable, Sendable {
    var steps: [TrainingStep]
    /// The arena values its steps name, in declaration order.
    var values: [TrainingValue]
}

/// Steps of a phase run by a function of their own, with the arena values they name.
struct TrainingPart: Codable, Hashable, Sendable {
    var steps: [TrainingStep]
    var values: [TrainingValue]
}

enum TrainingStep: Codable, Hashable, Sendable {
    /// A comment that says what the phase does.
    case note(String)
    /// One layer's forward pass in training mode, keeping its output.
    case forward(layer: Int)
    /// Adds this sample's Σx and Σx² for a normalization (by its position in `normalizations`).
    case addBatchStatistics(normalization: Int)
    /// Copies each output layer's output to its place in the caller's `output`.
    case copyOutput
    /// The loss, its training-only penalties, and its gradient into `g` (or
    /// into each output's slot, `GradientRoutes.seededByLoss`).
    case loss
    /// One layer's backward pass: `g` holds dL/d(output) before and dL/d(input) after.
    case backward(layer: Int)
    /// Graphs: `g` = the summed dL/d(output) of a layer read by several layers.
    case loadGradient(layer: Int)
    /// Graphs: the dL/d(input) in `g` goes to the slot of the tensor the layer
    /// reads (`tensor` -1: the model's input), set by its first contribution, added by the others.
    case deliverGradient(tensor: Int, accumulates: Bool)
    /// Graphs: a merge's backward pass, from `g` into each input's slot; `accumulates[i]`
    /// tells whether input i's slot already holds a contribution. Input `leftInG`, whose
    /// dL/dx is dy itself and whose producer's backward pass comes next, takes no slot:
    /// its gradient stays in `g` (see `TrainingPlanner.sparingGradientCopies`).
    case mergeBackward(layer: Int, accumulates: [Bool], leftInG: Int? = nil)
    /// Graphs: `g` += the tensor's slot. `g` holds its last reader's contribution,
    /// the slot the others' sum: together, the tensor's whole gradient, without
    /// the copy into the slot and back that delivering and loading would take.
    case gatherGradient(tensor: Int)
    /// Graphs: the summed dL/d(model input) goes to the caller's `inputGradient`, each input's to its place.
    case copyInputGradient
    /// At a normalization's output: keeps dL/dy for the next phase and adds the gradient sums.
    case keepGradientAndAddSums(normalization: Int)
    /// Backward through a normalization with the whole batch's statistics.
    case normalizationBackward(normalization: Int)
    /// Returns the sample's loss (the loss phase) or 0.
    case finish(returnsLoss: Bool)
    /// Runs `TrainingProgram.parts[part]`, a function of its own.
    case callPart(Int)
    /// Backward steps that only the caller's dL/d(model input) needs: neither
    /// their layers nor any layer before them has weights the step trains
    /// (a frozen base). They run only when `inputGradient` is given.
    indirect case forInputGradient([TrainingStep])
}

extension TrainingStep {
    /// The step itself, or every step it holds.
    var leaves: [TrainingStep] {
        if case .forInputGradient(let steps) = self { steps.flatMap(\.leaves) } else { [self] }
    }
}
