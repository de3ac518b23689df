import CNNCRuntime
import CNNCTraining
import CNNCZoo
import FixtureModels
import Foundation
import GraphModels
import Testing

/// One `train_on_batch` in cnnc equals the same step in real Keras: same
/// weights, same batch, same optimizer (Tools/keras-fixtures/
/// make_training_step_fixtures.py wrote what Keras got). This checks the
/// generated backward pass, the loss, the batch mean and the optimizer's rule
/// together, against a reference nobody here tuned.
@Suite struct TrainingStepAgainstKerasTests {
    init() { UnoptimizedTestModels.allowed }

    static let folder = KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/training_step").path

    /// The graphs' steps (same script), from the weights of functional/outputs/.
    static let graphFolder = KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/functional/training_step").path

    static func stems(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasSuffix(".txt") }.sorted()
    }
    static var stems: [String] { stems(in: folder) }
    static var graphStems: [String] { stems(in: graphFolder) }

    static func modelType(stem: String) -> (any TrainableModel.Type)? {
        KerasOutputsTests.cases.first { $0.spec.split(separator: "/").last?.split(separator: ".").first.map(String.init) == stem }?.type as? any TrainableModel.Type
    }

    /// What make_training_step_fixtures.py asked Keras for, as cnnc's flags.
    static let optimizers: [String: TestOptimizer] = [
        "sgd": TestOptimizer(name: "sgd", numbers: [(.learningRate, 0.1)]),
        "sgd_nesterov": TestOptimizer(name: "sgd", numbers: [(.learningRate, 0.05), (.momentum, 0.9)], flags: [.nesterov]),
        "adam": TestOptimizer(name: "adam", numbers: [(.learningRate, 0.01)]),
        "rmsprop": TestOptimizer(name: "rmsprop", numbers: [(.learningRate, 0.01)]),
    ]

    @Test func fixturesCoverConvolutionPoolingAndDenseModels() {
        #expect(Self.stems.contains("lenet5") && Self.stems.contains("toy_convnet") && Self.stems.contains("batchnorm_inference") && Self.stems.count >= 5)
        // The zoo's graphs: residual, Inception, and two inputs and two outputs.
        #expect(Set(Self.stems).isSuperset(of: ["resnet20_cifar", "inception_cifar", "two_heads"]))
    }

    @Test(arguments: stems, ["sgd", "sgd_nesterov", "adam", "rmsprop"])
    func oneStepMatchesKeras(stem: String, optimizer name: String) throws {
        let type = try #require(Self.modelType(stem: stem), "no compiled model for \(stem)")
        if FileManager.default.fileExists(atPath: "\(Self.folder)/\(stem)/x.npy") {
            try Self.check(type, stem: stem, name: name)
        } else {
            let weights = KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/outputs/\(stem)/weights.safetensors").path
            try Self.checkNamedArrays(type, stem: stem, name: name, steps: Self.folder, weights: weights)
        }
    }

    /// Residual, Inception and squeeze-and-excitation blocks: fan-out sums,
    /// merges and BatchNormalization across branches, against Keras's step.
    @Test func graphFixturesCoverTheTrainableGraphs() {
        #expect(Set(Self.graphStems).isSuperset(of: ["residual_block", "inception_block", "functional_chain"]))
    }

    @Test(arguments: graphStems, ["sgd", "sgd_nesterov", "adam", "rmsprop"])
    func graphStepMatchesKeras(stem: String, optimizer name: String) throws {
        let entry = try #require(GraphModels.models.first { $0.spec.hasSuffix("/\(stem).yaml") || $0.spec.hasSuffix("/\(stem).json") },
                                 "no compiled graph for \(stem)")
        let type = try #require(entry.type as? any TrainableModel.Type)
        let weights = KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/functional/outputs/\(stem)/weights.safetensors").path
        if FileManager.default.fileExists(atPath: "\(Self.graphFolder)/\(stem)/x.npy") {
            try Self.check(type, stem: stem, name: name, steps: Self.graphFolder, weights: weights)
        } else {
            try Self.checkNamedArrays(type, stem: stem, name: name, steps: Self.graphFolder, weights: weights)
        }
    }

    /// A model of several inputs and outputs trains one step equal to Keras's
    /// `train_on_batch(x_dict, y_dict)` with a loss per output.
    @Test func severalInputsAndOutputsAreCovered() {
        #expect(Self.graphStems.contains("two_inputs_two_outputs"))
    }

    /// One step on arrays named after the model's inputs and outputs
    /// (`x_<input>.npy`, `y_<output>.npy`), with the loss per output Keras used.
    static func checkNamedArrays<Model: TrainableModel>(_ type: Model.Type, stem: String, name: String, steps: String, weights: String) throws {
        let folder = "\(steps)/\(stem)"
        let before = try Model(contentsOf: weights)
        let expected = try SafeTensors.read(path: "\(folder)/\(name).safetensors")
        let named = try JSONDecoder().decode([String: String].self, from: Data(try #require(expected.metadata["loss_function"]).utf8))
        let loss = try ModelLoss(functions: Model.outputLayout.map { output throws(RuntimeError) in
            try LossFunction(named: named[output.name] ?? "missing loss for \(output.name)")
        })
        let inputPaths = Model.inputLayout.map { "\(folder)/x_\($0.name).npy" }, targetPaths = Model.outputLayout.map { "\(folder)/y_\($0.name).npy" }
        let inputs = try SamplePacking.pack(inputPaths.map(NPYFile.read), layout: Model.inputLayout, sources: inputPaths)
        let targets = try TargetArrays.pack(targetPaths.map(NPYFile.read), layout: Model.outputLayout, loss: loss, sources: targetPaths)
        func step(_ optimizerName: String) throws -> (TensorTrainer<Model>.StepResult, [Float]) {
            let optimizer = try optimizer(try #require(Self.optimizers[optimizerName]), parameterCount: Model.parameterCount)
            let trainer = try TensorTrainer(model: before, optimizer: optimizer, loss: loss, batchSize: inputs.shape[0], threads: 2)
            let result = try trainer.trainOnBatch(inputs: inputs.values, targets: targets.values)
            return (result, try trainer.model.parameters)
        }
        let (result, ours) = try step(name)
        let kerasLoss = try #require(expected.metadata["loss"].flatMap(Double.init))
        let kerasOutputLosses = try JSONDecoder().decode([Double].self, from: Data(try #require(expected.metadata["output_losses"]).utf8))
        for (mine, theirs) in zip([result.loss] + result.outputLosses, [kerasLoss] + kerasOutputLosses) {
            #expect(abs(mine - theirs) <= 1e-5 * max(1, abs(theirs)), "\(stem) \(name): losses \([result.loss] + result.outputLosses), Keras \([kerasLoss] + kerasOutputLosses)")
        }
        let after = try expected.parameters(matching: Model.weightLayout, count: Model.parameterCount, path: name)
        let allowed = try propagatedTolerances(Model.self, optimizer: name, steps: folder, initial: before) { try step("sgd").1 }
        compare(Model.self, ours: ours, keras: after, allowed: allowed, what: "\(stem) \(name)")
    }

    /// One step from `weights` (the model's Keras outputs fixture by default) against `steps/<stem>/<name>.safetensors`.
    static func check<Model: TrainableModel>(_ type: Model.Type, stem: String, name: String, steps: String = folder, weights: String? = nil) throws {
        let folder = steps
        let optimizer = try optimizer(try #require(Self.optimizers[name]), parameterCount: Model.parameterCount)
        let before = try Model(contentsOf: weights ?? KerasOutputsTests.repository.appendingPathComponent("Tests/Fixtures/keras/outputs/\(stem)/weights.safetensors").path)
        let x = try NPYFile.read(path: "\(folder)/\(stem)/x.npy")
        let labels = try NPYFile.read(path: "\(folder)/\(stem)/y.npy").values.map { Int32($0) }
        let classCount = Model.outputCount == 1 ? 2 : Model.outputCount
        // Images (N, h, w, c); sequences (N, steps, channels) as images of one row; vectors as one row of one channel.
        let (height, width, channels) = switch x.shape.count {
        case 4: (x.shape[1], x.shape[2], x.shape[3])
        case 3: (1, x.shape[1], x.shape[2])
        default: (1, x.shape.dropFirst().reduce(1, *), 1)
        }
        let batch = try LabeledImages(height: height, width: width, channels: channels, pixels: x.values, labels: labels, classCount: classCount)
        let trainer = try Trainer(model: before, optimizer: optimizer, loss: nil, classCount: classCount, batchSize: batch.count, threads: 2, seed: 0)
        let metrics = try trainer.trainOnBatch(batch)
        let expected = try SafeTensors.read(path: "\(folder)/\(stem)/\(name).safetensors")
        let kerasLoss = try #require(expected.metadata["loss"].flatMap(Double.init))
        #expect(abs(metrics.loss - kerasLoss) <= 1e-5 * max(1, abs(kerasLoss)), "\(stem) \(name): loss \(metrics.loss), Keras \(kerasLoss)")
        let after = try expected.parameters(matching: Model.weightLayout, count: Model.parameterCount, path: name)
        let ours = try trainer.model.parameters
        let allowed = try propagatedTolerances(Model.self, optimizer: name, steps: "\(folder)/\(stem)", initial: before) {
            let sgd = try GeneratedModelTests.optimizer(Self.optimizers["sgd"]!, parameterCount: Model.parameterCount)
            let ourSGD = try Trainer(model: before, optimizer: sgd,
                                     loss: nil, classCount: batch.classCount, batchSize: batch.count, threads: 2, seed: 0)
            _ = try ourSGD.trainOnBatch(batch)
            return try ourSGD.model.parameters
        }
        compare(Model.self, ours: ours, keras: after, allowed: allowed, what: "\(stem) \(name)")
    }

    /// Records the weight that differs most beyond what is allowed, with every tensor's largest difference.
    static func compare<Model: TrainableModel>(_ type: Model.Type, ours: [Float], keras after: [Float], allowed: [Float], what: String) {
        var worst = (excess: Float(0), index: -1)
        for index in 0..<ours.count where abs(ours[index] - after[index]) - allowed[index] > worst.excess {
            worst = (abs(ours[index] - after[index]) - allowed[index], index)
        }
        guard worst.index >= 0 else { return }
        let tensor = Model.weightLayout.last { $0.offset <= worst.index }?.name ?? "?"
        // Every tensor's largest difference, so one report shows where the step goes wrong.
        let perTensor = Model.weightLayout.map { layout in
            let range = layout.offset..<(layout.offset + layout.count)
            return "\(layout.name) \(range.map { abs(ours[$0] - after[$0]) }.max() ?? 0)"
        }
        Issue.record("\(what): \(tensor) differs by \(abs(ours[worst.index] - after[worst.index])), allowed \(allowed[worst.index]) (ours \(ours[worst.index]), Keras \(after[worst.index])); largest difference per tensor: \(perTensor.joined(separator: ", "))")
    }

    /// Adam's first step is α·m/(√v + ε) with α = lr·√(1 − β₂)/(1 − β₁),
    /// m = (1 − β₁)·g and √v = √(1 − β₂)·|g|, that is lr·g/(|g| + ε/√(1 − β₂)):
    /// Keras corrects the bias in α, not in ε, so ε acts as 3.2e-6. RMSprop's
    /// is lr·g/√((1 − ρ)·g² + ε), ε = 1e-7. Both are steep where a gradient
    /// nearly cancels to 0 (as the bias of a layer that feeds
    /// BatchNormalization does: its true gradient is exactly 0, and what either
    /// framework computes is rounding noise). There a last-bits difference in
    /// g, which any two correct float32 implementations have, becomes a large
    /// one in the step. So each weight may differ by 1e-5 plus how far the step
    /// moves when Keras's gradient moves by the largest gradient difference
    /// actually measured between cnnc and Keras (both read back from their SGD
    /// steps on the same batch, g = (w0 − w1)/0.1), or by what that read-back
    /// cannot resolve: w1 is a float32 near w0, so g is known only to about
    /// 2·ulp(w0)/0.1. Not a tuned number: the error propagated through the
    /// optimizer's own formula.
    /// `ourSGDStep` gives the parameters after cnnc's SGD step on the same batch.
    static func propagatedTolerances<Model: TrainableModel>(_ type: Model.Type, optimizer name: String, steps: String, initial: Model,
                                                            ourSGDStep: () throws -> [Float]) throws -> [Float] {
        let step: (Float) -> Float
        switch name {
        case "adam":
            let epsilon: Float = 1e-7 / Float(0.001).squareRoot()
            step = { g in 0.01 * g / (abs(g) + epsilon) }
        case "rmsprop":
            step = { g in 0.01 * g / (0.1 * g * g + 1e-7).squareRoot() }
        default:
            return [Float](repeating: 1e-5, count: Model.parameterCount)
        }
        let kerasSGD = try SafeTensors.read(path: "\(steps)/sgd.safetensors")
            .parameters(matching: Model.weightLayout, count: Model.parameterCount, path: "sgd")
        let w0 = initial.parameters, ours = try ourSGDStep()
        var kerasGradient = [Float](repeating: 0, count: w0.count)
        var gradientDifference: Float = 0
        for index in 0..<w0.count {
            kerasGradient[index] = (w0[index] - kerasSGD[index]) / 0.1
            let ourGradient: Float = (w0[index] - ours[index]) / 0.1
            gradientDifference = max(gradientDifference, abs(kerasGradient[index] - ourGradient))
        }
        // Both steps are increasing in g, so the interval's ends bound the change.
        return w0.indices.map { index -> Float in
            let g = kerasGradient[index], center = step(g)
            let uncertainty = max(gradientDifference, 2 * w0[index].ulp / 0.1)
            return 1e-5 + max(abs(step(g + uncertainty) - center), abs(step(g - uncertainty) - center))
        }
    }
}
