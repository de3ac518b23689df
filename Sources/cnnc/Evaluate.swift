import ArgumentParser
import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation

/// `cnnc evaluate SPEC --weights W [--data DATASET]`: Keras's `evaluate` and a confusion matrix.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Loss, accuracy and confusion matrix of trained weights on a data set's test part.",
        discussion: "DATASET as for cnnc train; the test part is used, or the training part when the data set has none.")

    @Argument(help: "The model's spec (.yaml, .json, or a Keras model.to_json() file).")
    var spec: String

    @Option(help: "Weights as safetensors, with Keras's names.")
    var weights: String

    @Option(help: "mnist:DIR, fashion-mnist:DIR, npz:FILE or builtin.")
    var data: String?

    @Option(help: "The loss to report; by default the one the output activation implies.")
    var loss: String?

    @Option(help: "Threads that share each batch.")
    var threads: Int = 1

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if !FileManager.default.fileExists(atPath: weights) { throw ValidationError("no weights file at \(weights)") }
    }

    func run() async throws {
        let model = try Diagnostics.loadOrExit(spec)
        let built = try await CompiledModels.build(model, spec: spec)
        let data = try TrainingData.prepare(self.data)
        defer { data.remove() }
        var configuration = TrainingConfiguration(trainData: data.trainPath)
        configuration.testData = data.testPath
        configuration.evaluateWeights = Train.absolute(weights)
        configuration.loss = loss
        configuration.threads = threads
        let configurationPath = data.folder.appendingPathComponent("evaluate.json").path
        try configuration.write(to: configurationPath)
        try await CompiledModels.stream(built.executable, arguments: ["evaluate", configurationPath])
    }
}
