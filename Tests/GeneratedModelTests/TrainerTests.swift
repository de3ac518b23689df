import CNNCRuntime
import CNNCTraining
import CNNCZoo
import Foundation
import Testing

/// The training loop on a task a working LeNet-5 learns in one epoch and a
/// broken gradient cannot: which of ten places a blurred blob sits at, in noise.
@Suite struct TrainerTests {
    static func blobs(count: Int, seed: UInt64) throws -> LabeledImages {
        var generator = SplitMix64(seed: seed, stream: 7)
        var pixels = [Float](repeating: 0, count: count * 784)
        var labels = [Int32]()
        for image in 0..<count {
            let label = generator.nextInt(below: 10)
            labels.append(Int32(label))
            let centreY = 7.0 + 14.0 * Double(label / 5) + generator.nextUniform(-2, 2)
            let centreX = 3.0 + 5.5 * Double(label % 5) + generator.nextUniform(-1.5, 1.5)
            for y in 0..<28 {
                for x in 0..<28 {
                    let distance = (Double(y) - centreY) * (Double(y) - centreY) + (Double(x) - centreX) * (Double(x) - centreX)
                    let value = exp(-distance / 8) + generator.nextUniform(0, 0.3)
                    pixels[image * 784 + y * 28 + x] = Float(min(value, 1))
                }
            }
        }
        return try LabeledImages(height: 28, width: 28, channels: 1, pixels: pixels, labels: labels, classCount: 10)
    }

    @Test func lenet5LearnsWhereTheBlobIsInOneEpoch() throws {
        let train = try Self.blobs(count: 1500, seed: 1), test = try Self.blobs(count: 300, seed: 2)
        let trainer = try Trainer(model: Lenet5(seed: 3), optimizer: try sgd(0.1), loss: nil, classCount: 10,
                                  batchSize: 16, threads: 2, seed: 4)
        let before = try Evaluation(model: try trainer.model, data: test, loss: trainer.loss, targets: trainer.targets, threads: 2)
        let metrics = try trainer.trainEpoch(0, on: train) { _ in }
        let after = try Evaluation(model: try trainer.model, data: test, loss: trainer.loss, targets: trainer.targets, threads: 2)
        #expect(before.accuracy < 0.3)
        #expect(after.accuracy > 0.9, "test accuracy \(after.accuracy) after one epoch (training \(metrics.accuracy))")
        #expect(after.loss < before.loss / 3)
        #expect(after.confusion.joined().reduce(0, +) == 300)
    }

    /// Soft target rows (label smoothing) train as Keras takes them, as they
    /// are: cross-entropy is linear in its target, so one SGD step on rows
    /// halfway between two labels moves each weight halfway between the steps
    /// on either label. Evaluation takes the rows too; accuracy their arg-max.
    @Test func softTargetRowsTrainAndEvaluateAsGiven() throws {
        let images = try Self.blobs(count: 8, seed: 11)
        let other = images.labels.map { ($0 + 3) % 10 }
        var rows = [Float](repeating: 0, count: 8 * 10)
        for sample in 0..<8 {
            rows[sample * 10 + Int(images.labels[sample])] += 0.6
            rows[sample * 10 + Int(other[sample])] += 0.4
        }
        let soft = try LabeledImages(height: 28, width: 28, channels: 1, pixels: images.pixels, labels: images.labels,
                                     classCount: 10, targets: rows)
        let second = try LabeledImages(height: 28, width: 28, channels: 1, pixels: images.pixels, labels: other, classCount: 10)
        func step(_ batch: LabeledImages) throws -> [Float] {
            let trainer = try Trainer(model: Lenet5(seed: 3), optimizer: try sgd(0.05), loss: nil, classCount: 10,
                                      batchSize: 8, threads: 1, seed: 9)
            _ = try trainer.trainOnBatch(batch)
            return try trainer.model.parameters
        }
        let start = Lenet5(seed: 3).parameters
        let (a, b, mixed) = (try step(images), try step(second), try step(soft))
        let expected = zip(a, b).map { 0.6 * $0 + 0.4 * $1 }
        let largestMove = zip(a, start).map { abs($0 - $1) }.max() ?? 0
        let largestError = zip(mixed, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(largestMove > 1e-3 && largestError < largestMove * 1e-3, "moved \(largestMove), off the mix by \(largestError)")

        // Subsets carry the rows; evaluation's loss is the rows' cross-entropy.
        let reordered = soft.subset([3, 1])
        #expect(reordered.targets.map { Array($0[0..<10]) } == Array(rows[30..<40]))
        let model = Lenet5(seed: 3)
        let loss = LossFunction.categoricalCrossEntropy
        let targets = try ClassTargets(classCount: 10, outputShape: [10])
        let evaluation = try Evaluation(model: model, data: soft, loss: loss, targets: targets, threads: 1)
        let hard = try Evaluation(model: model, data: images, loss: loss, targets: targets, threads: 1)
        var output = [Float](repeating: 0, count: 8 * 10)
        try soft.pixels.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { try model.predict(batch: input, count: 8, into: $0, threads: 1) }
        }
        let byHand = (0..<8).map { sample in
            Double(loss.value(Array(output[(sample * 10)..<(sample * 10 + 10)]), Array(rows[(sample * 10)..<(sample * 10 + 10)]), count: 10, channels: 10))
        }.reduce(0, +) / 8
        #expect(abs(evaluation.loss - byHand) < 1e-6 && abs(evaluation.loss - hard.loss) > 1e-3)
        #expect(evaluation.accuracy == hard.accuracy)
    }

    @Test func aSeedAndThreadCountRepeatBitForBit() throws {
        let train = try Self.blobs(count: 96, seed: 5)
        func run(threads: Int) throws -> [Float] {
            let trainer = try Trainer(model: Lenet5(seed: 3), optimizer: try sgd(0.05), loss: nil, classCount: 10,
                                      batchSize: 32, threads: threads, seed: 9)
            _ = try trainer.trainEpoch(0, on: train) { _ in }
            return try trainer.model.parameters
        }
        let first = try run(threads: 2)
        #expect(try run(threads: 2) == first)
        let single = try run(threads: 1)
        let largest = zip(first, single).map { abs($0 - $1) }.max() ?? 0
        #expect(largest < 1e-5, "one thread and two differ by \(largest): only the order of additions may differ")
    }

    /// The steps run a model packed without the F(4x4) Winograd weights that
    /// only inference reads (ResNet-20's training forward pass runs those
    /// layers by F(2x2)); the model a trainer hands out after a step is packed
    /// whole, and predicts exactly as one made from its parameters.
    @Test func theModelHandedOutAfterAStepIsPackedForInference() throws {
        let trainer = try TensorTrainer(model: Resnet20Cifar(seed: 1), optimizer: try sgd(0.01, for: Resnet20Cifar.self),
                                        loss: ModelLoss(functions: [.categoricalCrossEntropy]), batchSize: 2, threads: 1)
        var generator = SplitMix64(seed: 2, stream: 1)
        let inputs = (0..<(2 * Resnet20Cifar.inputCount)).map { _ in Float(generator.nextUniform(0, 1)) }
        var targets = [Float](repeating: 0, count: 2 * Resnet20Cifar.outputCount)
        targets[3] = 1
        targets[Resnet20Cifar.outputCount + 7] = 1
        _ = try trainer.trainOnBatch(inputs: inputs, targets: targets)
        let handed = try trainer.model
        func prediction(_ model: Resnet20Cifar) -> [Float] {
            var output = [Float](repeating: 0, count: Resnet20Cifar.outputCount)
            var arena = [Float](repeating: 0, count: Resnet20Cifar.arenaCount)
            arena.withUnsafeMutableBufferPointer { model.predict(inputs, into: &output, arena: $0.baseAddress!) }
            return output
        }
        #expect(prediction(handed) == prediction(try Resnet20Cifar(parameters: handed.parameters)))
        #expect(prediction(try Resnet20Cifar(trainingParameters: handed.parameters)) != prediction(handed))
    }

    @Test func wrongDataIsRefusedWithTheReason() throws {
        let small = try LabeledImages(height: 8, width: 8, channels: 1, pixels: [Float](repeating: 0, count: 64), labels: [0], classCount: 10)
        let trainer = try Trainer(model: Lenet5(seed: 1), optimizer: try sgd(0.1), loss: nil, classCount: 10, batchSize: 4, threads: 1, seed: 1)
        #expect(throws: RuntimeError("the images are (8, 8, 1) but the model takes (28, 28, 1)")) { try trainer.trainEpoch(0, on: small) { _ in } }
        #expect(throws: RuntimeError("the data has 3 classes but the model has 10 outputs; the last Dense layer needs 3 units (or 1 unit with sigmoid for two classes)")) {
            _ = try Trainer(model: Lenet5(seed: 1), optimizer: try sgd(0.1), loss: nil, classCount: 3, batchSize: 4, threads: 1, seed: 1)
        }
    }

    /// As in Keras, labels need only be below the number of outputs: a batch
    /// of labels 0–7 trains a 10-class model; a label past the outputs is refused.
    @Test func fewerClassesThanOutputsTrain() throws {
        let trainer = try Trainer(model: Lenet5(seed: 1), optimizer: try sgd(0.1), loss: nil, classCount: 10, batchSize: 4, threads: 1, seed: 1)
        let image = [Float](repeating: 0.5, count: 784)
        let eight = try LabeledImages(height: 28, width: 28, channels: 1, pixels: image + image, labels: [0, 7], classCount: 8)
        #expect(try trainer.trainOnBatch(eight).loss.isFinite)
        let twelve = try LabeledImages(height: 28, width: 28, channels: 1, pixels: image, labels: [11], classCount: 12)
        #expect(throws: RuntimeError("the data has 12 classes but the model scores 10; every label must be below 10")) { try trainer.trainOnBatch(twelve) }
        #expect(try LossFunction(named: "sparse_categorical_crossentropy") == .categoricalCrossEntropy)
        #expect(try LossFunction(named: "mse") == .meanSquaredError)
    }
}
