import ArgumentParser
import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation

/// `cnnc evaluate SPEC --weights W [--data DATASET]`: Keras's `evaluate` and a confusion matrix.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Loss, accuracy and confusion matrix of trained weights on a data set's test part.",
        discussion: "DATASET as for cnnc train; the test part is used, or the training part when the data set has none. A model of several inputs or outputs is evaluated on all the arrays of npz:FILE, named as for cnnc train: each output's loss and each classifier head's accuracy.")

    @Argument(help: ModelArgument.help)
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
        try OutputFolders.make(files: [plot])
        // Arrays named after the inputs and outputs (`usesNamedArrays`), read and checked before the build.
        let namedArrays = TrainingData.usesNamedArrays(dataOption.data, for: model)
        if namedArrays, plot != nil {
            throw ValidationError("--plot draws a classifier's confusion matrix; this model has \(model.inputs.count) input\(model.inputs.count == 1 ? "" : "s") and \(model.outputs.count) output\(model.outputs.count == 1 ? "" : "s"), and cnnc evaluate reports each output's loss and each classifier head's accuracy")
        }
        let staged = namedArrays ? try TrainingData.prepareNamedArrays(dataOption.data, for: model) : nil
        defer { staged?.remove() }
        // The data is read and checked against the model before the build, which takes a while.
        let data = try staged ?? TrainingData.prepare(dataOption.data, for: model)
        defer { if staged == nil { data.remove() } }
        let built = try await CompiledModels.build(model, spec: spec, for: .training)
        var configuration = TrainingConfiguration(trainData: data.trainPath)
        configuration.namedArrays = namedArrays
        configuration.activityPenalties = model.activityPenalties
        configuration.testData = data.testPath
        configuration.evaluateWeights = Train.absolute(prepared.path)
        (configuration.loss, configuration.outputLosses) = try lossOption.losses(for: model)
        configuration.lossWeights = try lossOption.weights()
        configuration.threads = threadsOption.threads
        configuration.plot = plot.map(Train.absolute)
        try await CompiledModels.stream(built.executable, job: .evaluate(configuration))
    }
}
