import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// The weights a training step derives once a step (the turned Winograd
/// kernels of dL/dx, `TrainableModel.deriveStepWeights`) follow every update.
@Suite struct StepWeightsTests {
    init() { UnoptimizedTestModels.allowed }

    /// A second step of one trainer equals a first step of a new trainer from
    /// the weights after the first, bit for bit (plain SGD keeps no state):
    /// with turned kernels left from the first step, dL/dx and every weight
    /// before that layer would differ.
    @Test(arguments: ["winograd_edges", "resnet20_cifar"])
    func aSecondStepUsesTheUpdatedWeights(stem: String) throws {
        let type = try #require(TrainingStepAgainstKerasTests.modelType(stem: stem), "no compiled model for \(stem)")
        try Self.check(type, stem: stem)
    }

    /// Workers share deriving the step weights, a part each: two parts, or
    /// three, write the same bits as one call does, and nothing twice.
    @Test(arguments: ["winograd_edges", "resnet20_cifar"])
    func thePartsOfTheStepWeightsMakeTheWhole(stem: String) throws {
        let type = try #require(TrainingStepAgainstKerasTests.modelType(stem: stem), "no compiled model for \(stem)")
        try Self.checkParts(type, stem: stem)
    }

    static func checkParts<Model: TrainableModel>(_ type: Model.Type, stem: String) throws {
        let model = Model(seed: 5)
        var whole = [Float](repeating: .nan, count: Model.stepWeightCount)
        whole.withUnsafeMutableBufferPointer { model.deriveStepWeights(into: $0.baseAddress!) }
        for parts in [2, 3] {
            // NaN where no part writes: every step weight must be written by one of them.
            var shared = [Float](repeating: .nan, count: Model.stepWeightCount)
            shared.withUnsafeMutableBufferPointer { buffer in
                for part in 0..<parts { model.deriveStepWeights(into: buffer.baseAddress!, part: part, of: parts) }
            }
            let differing = zip(whole, shared).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(stem): \(parts) parts differ from one call in \(differing) step weights")
        }
    }

    static func check<Model: TrainableModel>(_ type: Model.Type, stem: String) throws {
        #expect(Model.stepWeightCount > 0, "\(stem) computes no dL/dx by Winograd")
        let folder = TrainingStepAgainstKerasTests.folder
        let weights = KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/outputs/\(stem)/weights.safetensors").path
        let x = try NPYFile.read(path: "\(folder)/\(stem)/x.npy")
        let labels = try NPYFile.read(path: "\(folder)/\(stem)/y.npy").values.map { Int32($0) }
        let batch = try LabeledImages(height: x.shape[1], width: x.shape[2], channels: x.shape[3], pixels: x.values, labels: labels,
                                      classCount: Model.outputCount)
        func trainer(from model: Model) throws -> Trainer<Model> {
            let sgd = try GeneratedModelTests.optimizer(TrainingStepAgainstKerasTests.optimizers["sgd"]!, parameterCount: Model.parameterCount)
            return try Trainer(model: model, optimizer: sgd, loss: nil, classCount: batch.classCount, batchSize: batch.count, threads: 2, seed: 0)
        }
        let twice = try trainer(from: try Model(contentsOf: weights))
        _ = try twice.trainOnBatch(batch)
        let fresh = try trainer(from: twice.model)
        _ = try twice.trainOnBatch(batch)
        _ = try fresh.trainOnBatch(batch)
        // A count, not the arrays: a failure would otherwise print every weight.
        let differing = zip(try twice.model.parameters, try fresh.model.parameters).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(stem): the second step differs from a first step from the same weights in \(differing) weights")
    }
}
