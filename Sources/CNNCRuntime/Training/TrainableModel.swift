/// A generated model that can learn: a forward pass in training mode that
/// keeps every layer's output, then a backward pass that accumulates
/// dL/dparameters (Keras layout, `weightLayout` offsets) and optionally dL/dinput.
///
/// BatchNormalization in training mode normalizes with the statistics of the
/// whole batch, so the samples of a batch meet at every such layer. A training
/// step therefore runs in phases: every sample goes through phase 0, then the
/// runtime adds up what each sample contributed (`finishBatchStatistics`), then
/// every sample goes through phase 1, and so on. With B BatchNormalization
/// layers there are 2B + 1 phases: B forward ones that end at a normalization,
/// the one that computes the loss (phase B) and starts back, and B that
/// continue backward past a normalization each. A model without one has a
/// single phase, and each sample's step is independent of the others.
public protocol TrainableModel: CompiledModel {
    /// Floats of scratch memory one training step on one sample needs. With
    /// more than one phase each sample of a batch needs its own, kept from
    /// phase to phase.
    static var trainingArenaCount: Int { get }
    /// Why this model cannot be trained yet (a layer without a backward pass), or nil.
    static var trainingUnsupportedReason: String? { get }
    /// The parameters of layers with `trainable: false`, which Keras's fit
    /// keeps as they are: their gradient is reported as 0 and no optimizer
    /// step moves them. A frozen BatchNormalization also normalizes with its
    /// moving statistics in training, and they stay too.
    static var frozenParameterRanges: [Range<Int>] { get }
    /// The output layer's activation ("softmax", "sigmoid", "linear", …), which
    /// decides whether the loss's gradient fuses with it, and the default loss.
    static var outputActivation: String { get }
    /// Each output layer's activation, in the order of `outputLayout`.
    static var outputActivations: [String] { get }
    /// 2 × the BatchNormalization layers + 1.
    static var trainingPhaseCount: Int { get }
    /// Doubles that each sample adds to between phases (per-channel sums).
    static var batchSumCount: Int { get }
    /// Floats of batch statistics the runtime derives from those sums and
    /// every sample reads in later phases (mean, variance, ...).
    static var batchStatisticsCount: Int { get }
    /// Floats the step derives from the weights before its first phase, which
    /// every sample reads after the batch statistics in `statistics`: the
    /// turned kernels of the layers whose dL/dx runs by Winograd.
    static var stepWeightCount: Int { get }

    /// A model with these parameters packed for the training steps only: the
    /// packed weights that inference alone reads may be left unpacked (the
    /// F(4x4) Winograd weights of layers whose training forward pass runs by
    /// F(2x2)), so it must not `predict`. `TensorTrainer` runs its steps on
    /// one and packs the whole model with `init(parameters:)` when it hands
    /// one out. Throws when the count is wrong.
    init(trainingParameters: [Float]) throws(RuntimeError)

    /// Writes the step weights (`stepWeightCount` floats) from the current
    /// parameters; the runtime calls it once a step, before phase 0.
    func deriveStepWeights(into stepWeights: UnsafeMutablePointer<Float>)

    /// Part `part` of `parts` of `deriveStepWeights(into:)`: the parts write
    /// disjoint step weights and together all of them, so that workers can
    /// share the work, each calling its own part.
    func deriveStepWeights(into stepWeights: UnsafeMutablePointer<Float>, part: Int, of parts: Int)

    /// Floats of gradient that the samples add to in another form than the
    /// parameters', after `parameterCount` in `gradients`: the Winograd-domain
    /// dL/dkernel of the layers that compute it by Winograd's adjoint, summed
    /// over the batch and turned into dL/dkernel once a step.
    static var stepGradientCount: Int { get }

    /// Adds the dL/dkernel of the batch's summed step gradients
    /// (`stepGradientCount` floats) to `gradients` (`parameterCount` floats);
    /// the runtime calls it once a step, after the last phase.
    static func foldStepGradients(_ stepGradients: UnsafePointer<Float>, into gradients: UnsafeMutablePointer<Float>)

    /// Phase `phase` of one sample's step: forward in training mode (dropout
    /// active, seeded by `dropoutSeed`), the loss against `target`
    /// (outputCount values, packed as `outputLayout` says, one loss function
    /// per output), then backward. Adds its part of the gradients to
    /// `gradients` (`parameterCount + stepGradientCount` floats, zeroed before
    /// the step's first sample) and its per-channel sums to `sums`;
    /// in the last phase writes dL/dinput to `inputGradient` when given. The
    /// loss phase (`trainingPhaseCount / 2`) writes the prediction to
    /// `output` and returns the sample's loss; the others return 0.
    /// `statistics` holds `batchStatisticsCount + stepWeightCount` floats:
    /// the batch statistics, then the step weights `deriveStepWeights` wrote
    /// from these parameters before phase 0 (`BatchGradients` does both).
    func trainingPhase(_ phase: Int, input: UnsafePointer<Float>, target: UnsafePointer<Float>, loss: ModelLoss,
                       gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                       output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>,
                       statistics: UnsafePointer<Float>, sums: UnsafeMutablePointer<Double>, dropoutSeed: UInt64) -> Float

    /// After phase `phase` (not the last): the batch's statistics from the
    /// sums of all `samples` samples.
    static func finishBatchStatistics(afterPhase phase: Int, sums: UnsafePointer<Double>, samples: Int,
                                      into statistics: UnsafeMutablePointer<Float>)

    /// After the optimizer's step: BatchNormalization's moving mean and
    /// variance move toward the batch's, with Keras's momentum.
    static func updateMovingStatistics(_ statistics: UnsafePointer<Float>, parameters: UnsafeMutablePointer<Float>)
}

extension TrainableModel {
    /// Nothing only inference reads: the whole model.
    public init(trainingParameters: [Float]) throws(RuntimeError) { try self.init(parameters: trainingParameters) }

    /// No frozen layers: what a model generated without any says.
    public static var frozenParameterRanges: [Range<Int>] { [] }

    /// No layer computes dL/dx from weights derived once a step.
    public static var stepWeightCount: Int { 0 }
    public func deriveStepWeights(into stepWeights: UnsafeMutablePointer<Float>) {}
    /// One part, the first, does it all.
    public func deriveStepWeights(into stepWeights: UnsafeMutablePointer<Float>, part: Int, of parts: Int) {
        if part == 0 { deriveStepWeights(into: stepWeights) }
    }

    /// No layer adds to its dL/dkernel in another form.
    public static var stepGradientCount: Int { 0 }
    public static func foldStepGradients(_ stepGradients: UnsafePointer<Float>, into gradients: UnsafeMutablePointer<Float>) {}

    /// One output: its activation.
    public static var outputActivations: [String] { [outputActivation] }

    /// The phase that computes the loss and the prediction.
    public static var lossPhase: Int { trainingPhaseCount / 2 }
}
