import CNNCData
import CNNCRuntime
import Foundation
import Testing

/// `cnnc predict` and `cnnc verify` on a model of two inputs and two outputs,
/// as a user runs them, against what real Keras computed
/// (Tools/keras-fixtures/make_functional_fixtures.py): inputs by name from
/// an .npz or one .npy each, outputs by name into an .npz.
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
    }
}
