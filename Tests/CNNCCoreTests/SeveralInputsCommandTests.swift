@testable import CNNCData
import CNNCRuntime
import Foundation
import Testing

/// `cnnc predict`, `cnnc verify` and `cnnc train` on a model of two inputs
/// and two outputs, as a user runs them, against what real Keras computed
/// (Tools/keras-fixtures/make_functional_fixtures.py and
/// make_training_step_fixtures.py): inputs by name from an .npz or one .npy
/// each, outputs by name into an .npz, training data by name in an .npz.
@Suite struct SeveralInputsCommandTests {
    static let spec = "Tests/Fixtures/graphs/two_inputs_two_outputs.yaml"
    static let fixture = "Tests/Fixtures/keras/functional/outputs/two_inputs_two_outputs"

    @Test func predictTakesAndGivesArraysByName() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path]
        let weights = "\(Self.fixture)/weights.safetensors"
        func predict(_ arguments: [String]) throws -> CommandLineTests.Run {
            try CommandLineTests.cnnc(["predict", Self.spec, "--weights", weights] + arguments, environment: environment)
        }

        // Wrong names and outputs are refused before anything is compiled.
        let unknown = try predict(["--input", "pixels=\(Self.fixture)/input.npy"])
        #expect(unknown.status != 0 && !unknown.errors.contains("compiling"))
        #expect(unknown.errors.contains("this model has 2 inputs ('image', 'measurements'); give each as --input NAME=FILE.npy"), "\(unknown.errors)")
        let oneNPY = try predict(["--input", "\(Self.fixture)/inputs.npz", "--output", folder.appendingPathComponent("y.npy").path])
        #expect(oneNPY.status != 0 && oneNPY.errors.contains("this model has 2 outputs ('class_head', 'score_head'); write them to an .npz"), "\(oneNPY.errors)")

        // An .npz keyed by input name in, an .npz keyed by output name out: Keras's outputs.
        let output = folder.appendingPathComponent("outputs.npz").path
        let run = try predict(["--input", "\(Self.fixture)/inputs.npz", "--output", output])
        #expect(run.status == 0, "\(run.errors)")
        let got = try NPZTensors.read(path: output)
        let expected = try NPZTensors.read(path: "\(Self.fixture)/outputs.npz")
        #expect(got.map(\.name) == ["class_head", "score_head"])
        for ((name, ours), (_, keras)) in zip(got, expected) {
            #expect(ours.shape == keras.shape, "\(name)")
            let worst = zip(ours.values, keras.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(name): worst difference from Keras \(worst)")
        }

        // One .npy per input, by name: the same values, printed per output.
        let inputs = try NPZTensors.read(path: "\(Self.fixture)/inputs.npz")
        var arguments: [String] = []
        for (name, array) in inputs {
            let path = folder.appendingPathComponent("\(name).npy").path
            try array.write(to: path)
            arguments += ["--input", "\(name)=\(path)"]
        }
        let printed = try predict(arguments)
        #expect(printed.status == 0, "\(printed.errors)")
        #expect(printed.output.hasPrefix("class_head:\nsample 0: class "), "\(printed.output)")
        #expect(printed.output.contains("score_head:\nsample 0: "))
        // A NaN is named by the user's file and input, not by the packed copy the model reads.
        var measurements = try #require(inputs.first { $0.name == "measurements" }?.array)
        measurements.values[6 + 2] = .nan
        let poisoned = folder.appendingPathComponent("poisoned.npy").path
        try measurements.write(to: poisoned)
        let nan = try predict(["--input", arguments[1], "--input", "measurements=\(poisoned)"])
        #expect(nan.status == 0, "\(nan.errors)")
        #expect(nan.errors.contains("warning: \(poisoned) (input 'measurements'): sample 1 holds nan at value 2 of 6"), "\(nan.errors)")
        #expect(!nan.errors.contains("-input.npy"), "\(nan.errors)")
        let missing = try predict(Array(arguments.prefix(2)))
        #expect(missing.errors.contains("no array for the model's input 'measurements'"), "\(missing.errors)")

        // Every layer against Keras's per-layer reference, whose __input__ is the packed samples.
        let verify = try CommandLineTests.cnnc(["verify", Self.spec, "--weights", weights, "--reference", "\(Self.fixture)/reference.safetensors"], environment: environment)
        #expect(verify.status == 0, "\(verify.output)\(verify.errors)")
        #expect(verify.output.hasSuffix("verify: all 7 layers agree with the reference\n"), "\(verify.output)")

        try Self.trainByName(folder: folder, environment: environment, weights: weights)
    }

    /// `cnnc train` on an .npz of arrays named after the inputs and outputs,
    /// integer class labels for the softmax head, a loss per output: one
    /// epoch of one batch of SGD is Keras's `train_on_batch` on the same
    /// arrays (the step fixture), and what is missing is said before a build.
    static func trainByName(folder: URL, environment: [String: String], weights: String) throws {
        let step = "Tests/Fixtures/keras/functional/training_step/two_inputs_two_outputs"
        var arrays: [(String, [UInt8])] = []
        for name in ["x_image", "x_measurements", "y_score_head"] {
            arrays.append((String(name.dropFirst(2)), [UInt8](try NPYFile.read(path: "\(step)/\(name).npy").encoded())))
        }
        let labels = try NPYFile.read(path: "\(step)/y_class_head.npy")
        arrays.append(("class_head", Self.int32NPY(labels.values.map { Int32($0) })))
        let data = folder.appendingPathComponent("train.npz").path
        try NPZWriter.write(arrays, to: data)
        func train(_ arguments: [String]) throws -> CommandLineTests.Run {
            try CommandLineTests.cnnc(["train", Self.spec, "--data", "npz:\(data)", "--initial-weights", weights] + arguments, environment: environment)
        }
        let noLoss = try train([])
        #expect(noLoss.status != 0 && !noLoss.errors.contains("compiling"))
        #expect(noLoss.errors.contains("the output 'score_head' ends in 'linear', so no loss is implied; name it, as Keras's compile takes a loss per output: --loss score_head=mean_squared_error"), "\(noLoss.errors)")
        let imageOption = try train(["--loss", "score_head=mse", "--kfold", "2"])
        #expect(imageOption.errors.contains("--kfold: for a classifier of labelled images; this model has 2 inputs and 2 outputs"), "\(imageOption.errors)")

        let saved = folder.appendingPathComponent("trained.safetensors").path
        let run = try train(["--loss", "score_head=mse", "--optimizer", "sgd", "--learning-rate", "0.1", "--batch-size", "8", "--save", saved])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("train.npz: 8 samples of 'image', 'measurements', 'class_head', 'score_head'"), "\(run.output)")
        #expect(run.output.contains("loss class_head: categorical_crossentropy, score_head: mean_squared_error"), "\(run.output)")
        #expect(run.output.contains(" - class_head_loss: "), "\(run.output)")
        let keras = try SafeTensors.read(path: "\(step)/sgd.safetensors")
        let ours = try SafeTensors.read(path: saved)
        for (name, tensor) in keras.tensors {
            let mine = try #require(ours.tensors[name], "\(name) not saved")
            let worst = zip(mine.values, tensor.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(name): differs from Keras's step by \(worst)")
        }
        let history = try String(contentsOfFile: folder.appendingPathComponent("trained.history.csv").path, encoding: .utf8)
        #expect(history.hasPrefix("epoch,class_head_accuracy,class_head_loss,loss,score_head_loss,seconds\n0,"), "\(history)")

        // cnnc evaluate on the same arrays from the same weights: Keras's losses before its step.
        let evaluation = try CommandLineTests.cnnc(["evaluate", Self.spec, "--data", "npz:\(data)", "--weights", weights, "--loss", "score_head=mse"], environment: environment)
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        let kerasLosses = [try #require(keras.metadata["loss"].flatMap(Double.init))]
            + (try JSONDecoder().decode([Double].self, from: Data(try #require(keras.metadata["output_losses"]).utf8)))
        for (name, value) in zip(["loss", "class_head_loss", "score_head_loss"], kerasLosses) {
            let line = evaluation.output.split(separator: "\n").first { $0.hasPrefix("\(name): ") }
            let ours = try #require(line.flatMap { Double($0.dropFirst(name.count + 2)) }, "\(name) in \(evaluation.output)")
            #expect(abs(ours - value) <= 1e-4, "\(name): \(ours), Keras \(value)")
        }
        #expect(evaluation.output.contains("class_head_accuracy: "), "\(evaluation.output)")
    }

    /// A little-endian int32 `.npy` of one axis, as numpy saves class labels.
    static func int32NPY(_ values: [Int32]) -> [UInt8] {
        var bytes = NPYHeader.encoded(descr: "<i4", shape: [values.count])
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        return bytes
    }
}
