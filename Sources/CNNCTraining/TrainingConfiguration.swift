import CNNCRuntime
import Foundation

/// Everything `cnnc train` and `cnnc evaluate` tell a compiled model's
/// executable, typed: cnnc has read the flags and the user's data (into data
/// set files), and sends this inside a job. Paths are absolute.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// The training part of the data set, and its test part if it has one.
    public var trainData: String
    public var testData: String?
    public var split: Split = .none
    public var epochs = 1
    public var batchSize = 32
    public var seed: UInt64 = 1
    public var threads = 1
    /// rmsprop with Keras's defaults unless said, as Keras's `compile` has it.
    public var optimizer = OptimizerConfiguration(.rmsprop)
    /// Nil takes the one the output implies; for a model of several outputs, the loss of every output not in `outputLosses`.
    public var loss: LossFunction?
    /// A model of several outputs: the loss of each, by output name, and its weight (1 when not given).
    public var outputLosses: [String: LossFunction] = [:]
    public var lossWeights: [String: Float] = [:]
    /// Nil for none.
    public var augmentation: AugmentationOptions?
    /// Weights to start from (resuming, or fine-tuning); nil initializes as Keras does from `seed`.
    public var initialWeights: String?
    /// The epoch to start at (0-based): a resumed run continues the same sequence of batches.
    public var initialEpoch = 0
    /// Saved after every epoch, atomically.
    public var saveWeights: String?
    /// The per-epoch history as CSV, rewritten atomically after every epoch.
    public var history: String?
    /// The history drawn as loss and accuracy curves (SVG), redrawn after every
    /// epoch; for `evaluate`, the confusion matrix drawn as a heat map.
    public var plot: String?
    /// The optimizer's slots and step count, saved after every epoch beside the
    /// weights and restored on resume, so a resumed run continues exactly.
    public var optimizerState: String?
    /// The state to start the optimizer from, in `Optimizer.state`'s names
    /// (safetensors): a Keras optimizer's, from the `.keras` file being
    /// trained on (`KerasOptimizerContinuation`). A resume takes `optimizerState` instead.
    public var initialOptimizerState: String?
    /// The model's ActivityRegularization layers, whose penalty the losses of
    /// validation, the test part and `evaluate` include, as Keras's do.
    public var activityPenalties: [ActivityPenalty] = []
    /// For `evaluate`: the weights, and which part of the data (test, or train when there is no test part).
    public var evaluateWeights: String?
    /// Whether the data are arrays named after the model's inputs and outputs
    /// (`NamedArrays`) rather than labelled images: always for a model of
    /// several inputs or outputs (`trainsOnNamedArrays`), and for one of one
    /// each given such arrays (a segmentation or regression model).
    public var namedArrays = false
    /// What saved weights record as their `source` (with " train"): "cnnc 0.2.0".
    public var source = "cnnc"

    public init(trainData: String) { self.trainData = trainData }

    /// How the data divides into training, validation and test, as the course teaches.
    public enum Split: Codable, Sendable, Equatable {
        /// Train on the training part; test on the test part when there is one.
        case none
        /// Keras's `validation_split`: the last fraction of the training part validates.
        case validationFraction(Double)
        /// train:validation:test ratios over all the data (both parts pooled), shuffled with the seed.
        case ratios(SplitRatios)
        /// K-fold cross-validation over the training part: each fold validates once.
        case kFold(Int)
    }
}

extension TrainingConfiguration {
    /// The optimizer state a run starts from: on resume, the saved one that
    /// belongs to `parameters` (nil for a run saved before states were kept,
    /// which resumes with a fresh optimizer); otherwise the given initial one, if any.
    func startingOptimizerState(belongingTo parameters: [Float]) throws(RuntimeError) -> [String: [Float]]? {
        if initialEpoch > 0 {
            guard let optimizerState else { return nil }
            return try OptimizerStateFile.read(belongingTo: parameters, at: optimizerState)
        }
        guard let initialOptimizerState else { return nil }
        return try SafeTensors.read(path: initialOptimizerState, kind: "optimizer state").tensors.mapValues(\.values)
    }
}

extension TrainingConfiguration {
    /// Whether `Model` trains on named arrays under this configuration.
    public func trainsOnNamedArrays<Model: TrainableModel>(_ model: Model.Type) -> Bool {
        namedArrays || Model.inputLayout.count > 1 || Model.outputLayout.count > 1
    }
}
