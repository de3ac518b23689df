import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// `cnnc verify` and `cnnc predict --dump-layers` as a user runs them, on
/// LeNet-5 with the weights and per-layer reference real Keras made.
@Suite struct VerifyCommandTests {
    static let fixture = "Tests/Fixtures/keras/outputs/lenet5"

    @Test func verifyPassesThenNamesThePerturbedLayer() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path]
        let weights = "\(Self.fixture)/weights.safetensors", reference = "\(Self.fixture)/reference.safetensors"

        let good = try CommandLineTests.cnnc(["verify", "Specs/lenet5.cnn.yaml", "--weights", weights, "--reference", reference], environment: environment)
        #expect(good.status == 0, "\(good.errors)")
        let lines = good.output.split(separator: "\n")
        #expect(lines.count == 11)
        #expect(lines.first?.hasPrefix("Tolerance: |a - b| <= 1.00e-05 + 1.00e-04 * |b|, over 3 samples; reference made by keras 3.") == true)
        #expect(lines[2].hasPrefix("conv2d (Conv2D)") && lines[2].contains("(3, 28, 28, 6)") && lines[2].hasSuffix("ok"))
        #expect(lines.last == "verify: all 8 layers agree with the reference")

        // One weight of dense_1 changed: exit 1, and the verdict names dense_1.
        var parameters = try WeightsBuffer.read(weights)
        parameters.values[parameters.offset(of: "dense_1.kernel") + 5] += 1
        let perturbed = folder.appendingPathComponent("perturbed.safetensors").path
        try SafeTensors.write(parameters: parameters.values, layout: parameters.layout, metadata: [:], to: perturbed)
        let bad = try CommandLineTests.cnnc(["verify", "Specs/lenet5.cnn.yaml", "--weights", perturbed, "--reference", reference], environment: environment)
        #expect(bad.status == 1)
        #expect(bad.output.split(separator: "\n").last?.hasPrefix("verify: first divergent layer: dense_1 (Dense): ") == true, "\(bad.output)")

        // --dump-layers writes the same layout, so a dump verifies against itself.
        let dump = folder.appendingPathComponent("dump").path
        let predict = try CommandLineTests.cnnc(["predict", "Specs/lenet5.cnn.yaml", "--weights", weights, "--input", "\(Self.fixture)/input.npy", "--dump-layers", dump], environment: environment)
        #expect(predict.status == 0, "\(predict.errors)")
        let dumped = try SafeTensors.read(path: dump + "/layers.safetensors")
        #expect(dumped.tensors.keys.sorted() == ["__input__", "average_pooling2d", "average_pooling2d_1", "conv2d", "conv2d_1", "dense", "dense_1", "dense_2", "flatten"])
        #expect(dumped.tensors["conv2d_1"]?.shape == [3, 10, 10, 16])
        let selfCheck = try CommandLineTests.cnnc(["verify", "Specs/lenet5.cnn.yaml", "--weights", weights, "--reference", dump + "/layers.safetensors", "--atol", "0", "--rtol", "0"], environment: environment)
        #expect(selfCheck.status == 0, "\(selfCheck.output)")

        // A reference that is not one: a weights file.
        let notReference = try CommandLineTests.cnnc(["verify", "Specs/lenet5.cnn.yaml", "--weights", weights, "--reference", weights], environment: environment)
        #expect(notReference.status == 1)
        #expect(notReference.errors.contains("not a layer reference file (it has no '__input__' tensor)"))
    }
}

/// A weights file's tensors as one buffer in file order, to change one value.
struct WeightsBuffer {
    var values: [Float] = []
    var layout: [TensorLayout] = []

    static func read(_ path: String) throws -> WeightsBuffer {
        let file = try SafeTensors.read(path: path)
        var result = WeightsBuffer()
        for name in file.tensors.keys.sorted() {
            let tensor = file.tensors[name]!
            result.layout.append(TensorLayout(name: name, shape: tensor.shape, offset: result.values.count))
            result.values += tensor.values
        }
        return result
    }

    func offset(of name: String) -> Int { layout.first { $0.name == name }!.offset }
}
