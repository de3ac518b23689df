import CNNCRuntime
import CNNCTraining
import Foundation

/// The model executable's `evaluate` job (`cnnc evaluate`); `train` is a `TrainingSession`.
enum TrainingRunner {
    /// Loss, accuracy and the confusion matrix on the test part (or the training part when there is none).
    static func evaluate<Model: TrainableModel>(_ type: Model.Type, _ configuration: TrainingConfiguration) throws(RuntimeError) {
        if configuration.trainsOnNamedArrays(Model.self) {
            try NamedArraysSession<Model>(configuration: configuration).evaluate()
            return
        }
        guard let weights = configuration.evaluateWeights else { throw RuntimeError("evaluate needs weights") }
        let model = try Model(contentsOf: weights)
        let path = configuration.testData ?? configuration.trainData
        let (data, classNames) = try LabeledImages.read(path: path)
        let targets = try ClassTargets(classCount: data.classCount, outputShape: Model.outputShape)
        let loss = if let chosen = configuration.loss { chosen } else { try targets.defaultLoss(outputActivation: Model.outputActivation) }
        let result = try Evaluation(model: model, data: data, loss: loss, targets: targets, threads: configuration.threads,
                                    penalties: configuration.activityPenalties)
        print("Evaluated \(Model.self) on \(data.count.grouped) \(configuration.testData == nil ? "training" : "test") images")
        print("loss: \(String(format: "%.4f", result.loss)) (\(loss.rawValue))")
        print("accuracy: \(String(format: "%.4f", result.accuracy)) (\((0..<targets.classCount).reduce(0) { $0 + result.confusion[$1][$1] }.grouped) of \(data.count.grouped) correct)")
        print("")
        print(ConfusionMatrixText.render(result.confusion, classNames: classNames))
        if let path = configuration.plot {
            let svg = ConfusionMatrixPicture.svg(result.confusion, classNames: classNames, title: "\(Model.self) on \(configuration.testData == nil ? "training" : "test") images")
            try AtomicFile.write(Data(svg.utf8), to: path)
            print("wrote \(path)")
        }
    }
}
