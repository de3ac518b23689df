import CNNCRuntime
import CNNCTraining
import Foundation

/// The `main` of a model executable that `cnnc predict` builds:
/// `Runner WEIGHTS INPUT.npy OUTPUT.npy THREADS`. It loads the weights, checks
/// the input's shape against the model, runs the batch and writes the outputs
/// atomically. Every failure is one line on standard error and exit status 1.
/// Other modes: see `VerificationRunner`, `BenchmarkRunner` and, for models
/// that can learn, `TrainingRunner`.
public enum CommandLineRunner {
    /// Every generated model is trainable (or says why not), so this overload is the one generated code calls.
    public static func main<Model: TrainableModel>(_ type: Model.Type, arguments: [String] = CommandLine.arguments) -> Never {
        if arguments.count > 1, TrainingRunner.modes.contains(arguments[1]) { TrainingRunner.main(type, arguments: arguments) }
        if arguments.count > 1, arguments[1] == "bench" { BenchmarkRunner.main(type, arguments: arguments) }  // either mode
        main(inference: type, arguments: arguments)
    }

    public static func main<Model: CompiledModel>(_ type: Model.Type, arguments: [String] = CommandLine.arguments) -> Never {
        main(inference: type, arguments: arguments)
    }

    private static func main<Model: CompiledModel>(inference type: Model.Type, arguments: [String]) -> Never {
        if arguments.count > 1, VerificationRunner.modes.contains(arguments[1]) { VerificationRunner.main(type, arguments: arguments) }
        if arguments.count > 1, arguments[1] == "bench" { BenchmarkRunner.main(type, arguments: arguments) }  // `cnnc bench`
        do throws(RuntimeError) {
            guard arguments.count == 5, let threads = Int(arguments[4]), threads > 0 else {
                throw RuntimeError("usage: \(arguments.first ?? "runner") WEIGHTS.safetensors INPUT.npy OUTPUT.npy THREADS")
            }
            let model = try Model(contentsOf: arguments[1])
            let input = try NPYFile.read(path: arguments[2])
            let count = try Model.batchCount(of: input, path: arguments[2])
            let output = try model.predict(batch: input.values, threads: threads)
            try NPYFile(shape: [count] + Model.outputShape, values: output).write(to: arguments[3])
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            exit(1)
        }
    }
}
