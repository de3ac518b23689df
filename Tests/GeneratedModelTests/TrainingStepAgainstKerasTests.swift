import CNNCRuntime
import CNNCZoo
import FixtureModels
import Foundation
import Testing

/// One `train_on_batch` in cnnc equals the same step in real Keras: same
/// weights, same batch, same optimizer (Tools/keras-fixtures/
/// make_training_step_fixtures.py wrote what Keras got). This checks the
/// generated backward pass, the loss, the batch mean and the optimizer's rule
/// together, against a reference nobody here tuned.
@Suite struct TrainingStepAgainstKerasTests {
    static let folder = KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/training_step").path

    static var stems: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasSuffix(".txt") }.sorted()
    }

    static func modelType(stem: String) -> (any TrainableModel.Type)? {
        KerasOutputsTests.cases.first { $0.spec.split(separator: "/").last?.split(separator: ".").first.map(String.init) == stem }?.type as? any TrainableModel.Type
    }

    static func optimizer(_ name: String) -> (any Optimizer)? {
        switch name {
        case "sgd": return PlainSGD(learningRate: 0.1)
        default: return nil
        }
    }

    @Test func fixturesCoverConvolutionPoolingAndDenseModels() {
        #expect(Self.stems.contains("lenet5") && Self.stems.contains("toy_convnet") && Self.stems.count >= 4)
    }

    @Test(arguments: stems, ["sgd"])
    func oneStepMatchesKeras(stem: String, optimizer name: String) throws {
        let type = try #require(Self.modelType(stem: stem), "no compiled model for \(stem)")
        try Self.check(type, stem: stem, optimizer: try #require(Self.optimizer(name)), name: name)
    }

    static func check<Model: TrainableModel>(_ type: Model.Type, stem: String, optimizer: any Optimizer, name: String) throws {
        let before = try Model(contentsOf: KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/outputs/\(stem)/weights.safetensors").path)
        let x = try NPYFile.read(path: "\(folder)/\(stem)/x.npy")
        let labels = try NPYFile.read(path: "\(folder)/\(stem)/y.npy").values.map { Int32($0) }
        let classCount = Model.outputCount == 1 ? 2 : Model.outputCount
        let batch = try LabeledImages(height: x.shape.count == 4 ? x.shape[1] : 1, width: x.shape.count == 4 ? x.shape[2] : x.shape.dropFirst().reduce(1, *),
                                      channels: x.shape.count == 4 ? x.shape[3] : 1, pixels: x.values, labels: labels, classCount: classCount)
        let trainer = try Trainer(model: before, optimizer: optimizer, loss: nil, classCount: classCount, batchSize: batch.count, threads: 2, seed: 0)
        let metrics = try trainer.trainOnBatch(batch)
        let expected = try SafeTensors.read(path: "\(folder)/\(stem)/\(name).safetensors")
        let kerasLoss = try #require(expected.metadata["loss"].flatMap(Double.init))
        #expect(abs(metrics.loss - kerasLoss) <= 1e-5 * max(1, abs(kerasLoss)), "\(stem) \(name): loss \(metrics.loss), Keras \(kerasLoss)")
        let after = try expected.parameters(matching: Model.weightLayout, count: Model.parameterCount, path: name)
        let ours = trainer.model.parameters
        var worst = (difference: Float(0), index: 0)
        for index in 0..<ours.count where abs(ours[index] - after[index]) > worst.difference {
            worst = (abs(ours[index] - after[index]), index)
        }
        let tensor = Model.weightLayout.last { $0.offset <= worst.index }?.name ?? "?"
        #expect(worst.difference <= 1e-5, "\(stem) \(name): worst \(worst.difference) in \(tensor) (ours \(ours[worst.index]), Keras \(after[worst.index]))")
    }
}
