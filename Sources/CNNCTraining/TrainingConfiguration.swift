import CNNCRuntime
import Foundation

/// Everything `cnnc train` and `cnnc evaluate` tell a compiled model's
/// executable, as one JSON file (`Model train CONFIG.json`). Paths are
/// absolute; cnnc has already turned the user's data into data set files.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// The training part of the data set, and its test part if it has one.
    public var trainData: String
    public var testData: String?
    public var split: Split = .none
    public var epochs = 1
    public var batchSize = 32
    public var seed: UInt64 = 1
    public var threads = 1
    /// The optimizer as its command-line flags (`OptimizerConfiguration.usage`):
    /// empty is rmsprop with Keras's defaults, as Keras's `compile` has it.
    public var optimizerArguments: [String] = []
    /// A `LossFunction` raw value; nil takes the one the output implies.
    public var loss: String?
    /// `--augment`'s text (see `AugmentationOptions(parsing:)`), nil for none.
    public var augment: String?
    /// Weights to start from (resuming, or fine-tuning); nil initializes as Keras does from `seed`.
    public var initialWeights: String?
    /// The epoch to start at (0-based): a resumed run continues the same sequence of batches.
    public var initialEpoch = 0
    /// Saved after every epoch, atomically.
    public var saveWeights: String?
    /// The per-epoch history as CSV, rewritten atomically after every epoch.
    public var history: String?
    /// The optimizer's slots and step count, saved after every epoch beside the
    /// weights and restored on resume, so a resumed run continues exactly.
    public var optimizerState: String?
    /// For `evaluate`: the weights, and which part of the data (test, or train when there is no test part).
    public var evaluateWeights: String?

    public init(trainData: String) { self.trainData = trainData }

    /// The optimizer the flags describe; any other flag among them is an error.
    public func optimizer() throws(RuntimeError) -> OptimizerConfiguration {
        let (configuration, rest) = try OptimizerConfiguration.parse(optimizerArguments)
        guard rest.isEmpty else { throw RuntimeError("not an optimizer option: \(rest.joined(separator: " ")); \(OptimizerConfiguration.usage)") }
        return configuration
    }

    /// How the data divides into training, validation and test, as the course teaches.
    public enum Split: Codable, Sendable, Equatable {
        /// Train on the training part; test on the test part when there is one.
        case none
        /// Keras's `validation_split`: the last fraction of the training part validates.
        case validationFraction(Double)
        /// train:validation:test ratios over all the data (both parts pooled), shuffled with the seed.
        case ratios(String)
        /// K-fold cross-validation over the training part: each fold validates once.
        case kFold(Int)
    }

    public static func read(path: String) throws(RuntimeError) -> TrainingConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw RuntimeError("\(path): no such training configuration") }
        do {
            return try JSONDecoder().decode(TrainingConfiguration.self, from: data)
        } catch {
            throw RuntimeError("\(path): not a training configuration this runtime understands (\(error)); rebuild the model with this cnnc")
        }
    }

    public func write(to path: String) throws(RuntimeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(self) else { throw RuntimeError("cannot encode the training configuration") }
        try AtomicFile.write(data, to: path)
    }
}
