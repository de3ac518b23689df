import CNNCRuntime
import CNNCTraining
import Foundation

/// The model executable's learning modes, which `cnnc train` and `cnnc evaluate` run:
///
///     Model train CONFIG.json
///     Model evaluate CONFIG.json
///
/// CONFIG.json is a `TrainingConfiguration`. Errors are one line on standard error and exit 1.
enum TrainingRunner {
    static let modes: Set<String> = ["train", "evaluate"]

    static func main<Model: TrainableModel>(_ type: Model.Type, arguments: [String]) -> Never {
        do throws(RuntimeError) {
            guard arguments.count == 3 else { throw RuntimeError("usage: \(arguments[0]) train|evaluate CONFIG.json") }
            let configuration = try TrainingConfiguration.read(path: arguments[2])
            switch arguments[1] {
            case "train": try TrainingSession<Model>(configuration: configuration).run()
            default: try evaluate(Model.self, configuration)
            }
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            exit(1)
        }
    }

    /// Loss, accuracy and the confusion matrix on the test part (or the training part when there is none).
    static func evaluate<Model: TrainableModel>(_ type: Model.Type, _ configuration: TrainingConfiguration) throws(RuntimeError) {
        guard let weights = configuration.evaluateWeights else { throw RuntimeError("evaluate needs weights") }
        let model = try Model(contentsOf: weights)
        let path = configuration.testData ?? configuration.trainData
        let (data, classNames) = try LabeledImages.read(path: path)
        let targets = try ClassTargets(classCount: data.classCount, outputShape: Model.outputShape)
        let loss: LossFunction
        if let name = configuration.loss {
            loss = try LossFunction(named: name)
        } else {
            loss = try targets.defaultLoss(outputActivation: Model.outputActivation)
        }
        let result = try Evaluation(model: model, data: data, loss: loss, targets: targets, threads: configuration.threads)
        print("Evaluated \(Model.self) on \(data.count.grouped) \(configuration.testData == nil ? "training" : "test") images")
        print("loss: \(String(format: "%.4f", result.loss)) (\(loss.rawValue))")
        print("accuracy: \(String(format: "%.4f", result.accuracy)) (\((0..<targets.classCount).reduce(0) { $0 + result.confusion[$1][$1] }.grouped) of \(data.count.grouped) correct)")
        print("")
        print(ConfusionMatrixText.render(result.confusion, classNames: classNames))
    }
}
