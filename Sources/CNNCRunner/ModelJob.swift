import CNNCRuntime
import CNNCTraining
import Foundation

/// What cnnc asks a model executable to do, as one JSON value on its standard
/// input (`Model job < JOB.json`). cnnc encodes it from its typed options, so
/// nothing here reads flags again; paths are absolute.
public enum ModelJob: Codable, Sendable, Equatable {
    /// `cnnc predict`: the outputs of a batch, as `.npy`, on `threads` threads.
    case predict(BatchFiles, threads: Int)
    /// `cnnc predict --dump-layers`: every layer's output, as safetensors whose
    /// metadata names `source` ("cnnc 0.2.0").
    case layers(BatchFiles, source: String)
    /// `cnnc verify`: every layer against reference outputs.
    case verify(Verification)
    /// `cnnc bench`.
    case bench(BenchmarkOptions)
    /// `cnnc train`.
    case train(TrainingConfiguration)
    /// `cnnc evaluate`: loss, accuracy and confusion matrix of `TrainingConfiguration.evaluateWeights`.
    case evaluate(TrainingConfiguration)

    /// A batch to run: the weights, the inputs (`.npy`) and where the outputs go.
    public struct BatchFiles: Codable, Sendable, Equatable {
        public var weights: String
        public var input: String
        public var output: String
        /// cnnc already warned about non-finite values in the user's own
        /// arrays (the input is its packed copy, whose path means nothing to them).
        public var inputsChecked: Bool

        public init(weights: String, input: String, output: String, inputsChecked: Bool = false) {
            self.weights = weights
            self.input = input
            self.output = output
            self.inputsChecked = inputsChecked
        }
    }

    public struct Verification: Codable, Sendable, Equatable {
        public var weights: String
        public var reference: String
        public var absoluteTolerance: Float
        public var relativeTolerance: Float

        public init(weights: String, reference: String, absoluteTolerance: Float, relativeTolerance: Float) {
            self.weights = weights
            self.reference = reference
            self.absoluteTolerance = absoluteTolerance
            self.relativeTolerance = relativeTolerance
        }
    }

    /// The job as the JSON cnnc sends.
    public func encoded() throws(RuntimeError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { throw RuntimeError("cannot encode the job for the model executable") }
        return data
    }

    /// The job cnnc sent; a job from another cnnc is refused with a sentence.
    public init(decoding data: Data) throws(RuntimeError) {
        do {
            self = try JSONDecoder().decode(ModelJob.self, from: data)
        } catch {
            throw RuntimeError("not a job this model executable understands (\(error)); rebuild the model with this cnnc")
        }
    }
}
