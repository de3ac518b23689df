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

    @Argument(help: "The model: a spec (.yaml, .json), a Keras model.to_json() file, or a Keras .keras file.")
    var spec: String

    @Option(help: "Weights: safetensors with Keras's names, or Keras's own .keras, .weights.h5 or .h5 file. A .keras model carries its own.")
    var weights: String?

    @OptionGroup var dataOption: DataOption

    @OptionGroup var lossOption: LossOption

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Also draw the confusion matrix here as an SVG heat map (counts, shaded by each true class's share, recall per class).")
    var plot: String?

    func run() async throws {
        let model = try Diagnostics.loadEvaluableOrExit(spec)
        try lossOption.check(against: model)
        let prepared = try ModelWeights.requireOrExit(weights, spec: spec, for: model)
        defer { prepared.remove() }
        let built = try await CompiledModels.build(model, spec: spec)
        let data = try TrainingData.prepare(dataOption.data, for: model)
        defer { data.remove() }
        var configuration = TrainingConfiguration(trainData: data.trainPath)
        configuration.testData = data.testPath
        configuration.evaluateWeights = Train.absolute(prepared.path)
        configuration.loss = try lossOption.function()
        configuration.threads = threadsOption.threads
        configuration.plot = plot.map(Train.absolute)
        try await CompiledModels.stream(built.executable, job: .evaluate(configuration))
    }
}
