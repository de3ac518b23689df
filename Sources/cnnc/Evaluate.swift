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

    @OptionGroup var dataOption: DataOption

    @OptionGroup var lossOption: LossOption

    @OptionGroup var threadsOption: ThreadsOption

    func validate() throws {
        if !FileManager.default.fileExists(atPath: weights) { throw ValidationError("no weights file at \(weights)") }
    }

    func run() async throws {
        let model = try Diagnostics.loadEvaluableOrExit(spec)
        try WeightsFileCheck.checkOrExit(weights, for: model)
        let built = try await CompiledModels.build(model, spec: spec)
        let data = try TrainingData.prepare(dataOption.data, for: model)
        defer { data.remove() }
        var configuration = TrainingConfiguration(trainData: data.trainPath)
        configuration.testData = data.testPath
        configuration.evaluateWeights = Train.absolute(weights)
        configuration.loss = try lossOption.function()
        configuration.threads = threadsOption.threads
        try await CompiledModels.stream(built.executable, job: .evaluate(configuration))
    }
}
