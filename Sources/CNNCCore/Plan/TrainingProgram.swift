/// How a training step runs, decided once: where every sample's tensors
/// live in its arena, the BatchNormalization layers where the samples of a
/// batch meet, and the phases between those meetings as lists of steps.
struct TrainingProgram: Codable, Hashable, Sendable {
    var arena: TrainingArena
    var normalizations: [NormalizationTraining]
    /// The layers that act only in training, in layer order.
    var trainingOnly: [TrainingOnlyLayer]
    var phases: [TrainingPhase]
    /// The last layer's activation, which decides whether the loss gradient fuses with it.
    var outputActivation: Activation
    /// The first layer with `trainable: false`, which `cnnc train` refuses.
    var frozenLayerName: String?
    /// Whether any backward step alternates the gradient buffers `g` and `h`.
    var swapsGradients: Bool
    /// Why the model cannot be trained yet (a graph, see `CheckedModel.trainingGap`):
    /// then nothing else is planned, and the runtime refuses to train it.
    var unsupportedReason: String?

    /// The program of a model that cannot be trained yet; `cnnc evaluate`
    /// still picks its default loss from the output's activation.
    static func unsupported(_ reason: String, outputActivation: Activation) -> TrainingProgram {
        TrainingProgram(arena: TrainingArena(), normalizations: [], trainingOnly: [], phases: [], outputActivation: outputActivation,
                        frozenLayerName: nil, swapsGradients: false, unsupportedReason: reason)
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
/// dropout masks, BatchNormalization's output gradients, a padded input (`p`)
/// and a padded gradient (`q`), and two gradient buffers that alternate (`g`, `h`).
struct TrainingArena: Codable, Hashable, Sendable {
    var outputs: [TrainingOutput] = []
    /// Dropout masks, by layer index.
    var masks: [Int: Int] = [:]
    /// dL/d(output) of each BatchNormalization layer, kept from one phase to the next.
    var outputGradients: [Int: Int] = [:]
    var paddedOffset = 0, paddedGradientOffset = 0, gradientOffset = 0, largestActivation = 0, total = 0

    /// The slot holding layer `index`'s output (-1: the model's input):
    /// aliases resolve to the layer whose memory they share.
    func storage(of index: Int) -> TrainingValue {
        var index = index
        while index >= 0, case .alias = outputs[index] { index -= 1 }
        return index < 0 ? .input : .output(index)
    }
}

/// A per-sample value a training step names.
enum TrainingValue: Codable, Hashable, Sendable, Comparable {
    case input
    /// `o<index>`: a layer's output slot.
    case output(Int)
    /// `m<index>`: a layer's dropout mask.
    case mask(Int)
    /// `d<index>`: a BatchNormalization's dL/dy, kept between phases.
    case outputGradient(Int)
}

/// One phase of a step: the samples of a batch run it independently, and the
/// runtime combines their BatchNormalization sums between phases.
struct TrainingPhase: Codable, Hashable, Sendable {
    var steps: [TrainingStep]
    /// The arena values its steps name, in declaration order.
    var values: [TrainingValue]
}

enum TrainingStep: Codable, Hashable, Sendable {
    /// A comment that says what the phase does.
    case note(String)
    /// One layer's forward pass in training mode, keeping its output.
    case forward(layer: Int)
    /// Adds this sample's Σx and Σx² for a normalization (by its position in `normalizations`).
    case addBatchStatistics(normalization: Int)
    /// Copies the last layer's output to the caller's `output`.
    case copyOutput
    /// The loss, its training-only penalties, and its gradient into `g`.
    case loss
    /// One layer's backward pass: `g` holds dL/d(output) before and dL/d(input) after.
    case backward(layer: Int)
    /// At a normalization's output: keeps dL/dy for the next phase and adds the gradient sums.
    case keepGradientAndAddSums(normalization: Int)
    /// Backward through a normalization with the whole batch's statistics.
    case normalizationBackward(normalization: Int)
    /// Returns the sample's loss (the loss phase) or 0.
    case finish(returnsLoss: Bool)
}
