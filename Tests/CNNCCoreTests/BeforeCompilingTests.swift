import CNNCData
import CNNCRuntime
import Foundation
import Testing

/// What cnnc refuses before it compiles anything: a weights file that is
/// another kind of file, a damaged Keras file, or weights that do not fit the model, and a model this
/// machine's memory cannot hold. Each costs the user a message, not a build.
@Suite struct BeforeCompilingTests {
    static func predict(_ spec: String, weights: String, folder: URL) throws -> CommandLineTests.Run {
        let input = folder.appendingPathComponent("x.npy").path
        try NPYFile(shape: [1, 28, 28, 1], values: [Float](repeating: 0, count: 784)).write(to: input)
        return try CommandLineTests.cnnc(["predict", spec, "--weights", weights, "--input", input],
                                         environment: ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path])
    }

    @Test func weightsFilesAreRecognisedAndComparedFirst() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(name: String, bytes: [UInt8], message: String)] = [
            ("model.weights.h5", [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], "model.weights.h5: superblock: superblock at byte 0 is cut short"),
            ("model.keras", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0, 0], "model.keras: a zip archive without its closing directory, so truncated or damaged"),
            ("weights.npy", [0x93] + Array("NUMPY".utf8) + [1, 0, 0, 0], "weights.npy: this is a numpy .npy array, not weights"),
            ("model.json", Array("{\"class_name\": \"Sequential\"}".utf8), "model.json: this is JSON (a model's configuration?), not weights"),
        ]
        for item in cases {
            let path = folder.appendingPathComponent(item.name).path
            try Data(item.bytes).write(to: URL(fileURLWithPath: path))
            let run = try Self.predict("Specs/lenet5.cnn.yaml", weights: path, folder: folder)
            #expect(run.status == 1 && run.errors.contains(item.message), "\(item.name): \(run.errors)")
            #expect(!run.errors.contains("compiling"), "\(item.name) was compiled for")
        }
        // HDF5 with a 512-byte user block: its signature is at byte 512, and it is still HDF5.
        let userBlock = try Self.predict("Specs/lenet5.cnn.yaml", weights: RepositoryFiles.path("Tests/Fixtures/hdf5/userblock.h5"), folder: folder)
        #expect(userBlock.status == 1 && userBlock.errors.contains("userblock.h5: an HDF5 file without Keras weights"), "\(userBlock.errors)")
        // A safetensors file with another model's tensors: every problem at once, before compiling.
        let other = folder.appendingPathComponent("edge.safetensors").path
        try SafeTensors.write(parameters: [Float](repeating: 0, count: 9), layout: [TensorLayout(name: "conv2d.kernel", shape: [3, 3, 1, 1], offset: 0)],
                              metadata: [:], to: other)
        let run = try Self.predict("Specs/lenet5.cnn.yaml", weights: other, folder: folder)
        #expect(run.status == 1 && !run.errors.contains("compiling"))
        #expect(run.errors.contains("the weights do not fit the model") && run.errors.contains("tensor 'conv2d.kernel' has shape (3, 3, 1, 1); the model needs (5, 5, 1, 6)")
            && run.errors.contains("missing tensor 'dense_2.bias' of shape (10,)"), "\(run.errors)")
    }

    /// A NaN or infinity among the weights is named, by file, tensor and
    /// index, before anything is compiled: in a Keras file (read tensor by
    /// tensor as it is converted) as in a safetensors file (checked tensor by tensor).
    @Test func nonFiniteWeightsAreRefusedBeforeCompiling() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = folder.appendingPathComponent("tiny.yaml").path
        try "name: tiny\ninput_shape: [28, 28, 1]\nlayers:\n  - Flatten: {name: flat}\n  - Dense: {units: 2, name: out}\n".write(toFile: spec, atomically: true, encoding: .utf8)
        var kernel = [Float](repeating: 0.1, count: 784 * 2)
        kernel[5] = .nan
        let keras = folder.appendingPathComponent("tiny.weights.h5").path
        let bytes = try KerasWeightsFile.bytes(modelName: "tiny", kind: .sequential, layers: [
            .init(className: "Flatten", name: "flat", weights: []),
            .init(className: "Dense", name: "out", float32Weights: [([784, 2], kernel), ([2], [0, 0])]),
        ])
        try Data(bytes).write(to: URL(fileURLWithPath: keras))
        let run = try Self.predict(spec, weights: keras, folder: folder)
        #expect(run.status == 1 && run.errors.contains("tiny.weights.h5: tensor 'out.kernel' holds nan at index 5; weights must be finite numbers"), "\(run.errors)")
        #expect(!run.errors.contains("compiling"))

        let safetensors = folder.appendingPathComponent("tiny.safetensors").path
        try SafeTensors.write(parameters: kernel + [0, .infinity], layout: [TensorLayout(name: "out.kernel", shape: [784, 2], offset: 0),
                                                                           TensorLayout(name: "out.bias", shape: [2], offset: 1568)],
                              metadata: [:], to: safetensors)
        let second = try Self.predict(spec, weights: safetensors, folder: folder)
        #expect(second.status == 1 && second.errors.contains("tensor 'out.kernel' holds nan at index 5"), "\(second.errors)")
        #expect(!second.errors.contains("compiling"))
    }

    /// 785·10^9 parameters: `check` warns with the byte count, `predict` refuses before building or allocating.
    @Test func aModelLargerThanMemoryIsSaidBeforeBuilding() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = folder.appendingPathComponent("huge.yaml").path
        try "input_shape: [28, 28, 1]\nlayers:\n  - Flatten\n  - Dense: {units: 1000000000, name: wide}\n".write(toFile: spec, atomically: true, encoding: .utf8)
        let check = try CommandLineTests.cnnc(["check", spec])
        #expect(check.status == 0)
        #expect(check.errors.contains("huge.yaml:4:5: warning: the compiled model needs about 5.72 TB (785,000,000,000 parameters, kept twice"), "\(check.errors)")
        #expect(check.errors.contains("its largest layer is 'wide'"))
        let weights = folder.appendingPathComponent("none.safetensors").path
        let run = try Self.predict(spec, weights: weights, folder: folder)
        #expect(run.status == 1 && run.errors.contains("huge.yaml:4:5: error: the compiled model needs about 5.72 TB") && !run.errors.contains("compiling"), "\(run.errors)")
    }
}
