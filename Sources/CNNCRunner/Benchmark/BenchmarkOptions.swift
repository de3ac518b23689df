import CNNCRuntime
import CNNCTraining

/// What `Runner bench …` was asked to time: the arguments `cnnc bench`
/// passes to the model executable, checked so that a bad number is a
/// sentence on standard error rather than a trap or an endless loop.
public struct BenchmarkOptions: Sendable, Equatable {
    public var batchSize = 1
    public var threads = 1
    /// Seconds of timed batches (warm-up comes on top).
    public var seconds = 2.0
    /// Safetensors weights; nil means Keras's default initialization with `seed`.
    public var weights: String?
    /// The name reported in the results (the spec's model name).
    public var name: String?
    public var seed: UInt64 = 1
    /// `inference` (forward passes) or `training` (train_on_batch: forward, backward and an SGD update).
    public var mode = "inference"

    public init() {}

    public static let usage = "usage: Model bench [--batch-size N] [--threads N] [--seconds S] [--weights W.safetensors] [--name NAME] [--seed N] [--mode inference|training]"

    /// Reads the arguments after `bench`.
    public init(arguments: ArraySlice<String>) throws(RuntimeError) {
        var rest = arguments
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw RuntimeError("\(flag) needs a value; \(Self.usage)") }
            switch flag {
            case "--batch-size": batchSize = try Self.positiveInteger(value, flag)
            case "--threads": threads = try Self.positiveInteger(value, flag)
            case "--seconds":
                guard let number = Double(value), number.isFinite, number > 0 else {
                    throw RuntimeError("\(flag) must be a positive number of seconds, not '\(value)'")
                }
                seconds = number
            case "--weights": weights = value
            case "--name": name = value
            case "--mode":
                guard ["inference", "training"].contains(value) else { throw RuntimeError("--mode is inference or training, not '\(value)'") }
                mode = value
            case "--seed":
                guard let number = UInt64(value) else { throw RuntimeError("\(flag) must be a non-negative integer, not '\(value)'") }
                seed = number
            default: throw RuntimeError("unknown option '\(flag)'; \(Self.usage)")
            }
        }
    }

    private static func positiveInteger(_ text: String, _ flag: String) throws(RuntimeError) -> Int {
        guard let number = Int(text), number > 0 else { throw RuntimeError("\(flag) must be a positive integer, not '\(text)'") }
        return number
    }
}
