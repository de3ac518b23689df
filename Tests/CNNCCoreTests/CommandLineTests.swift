import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// The `cnnc` executable as a user runs it: output, diagnostics on standard
/// error, exit status.
@Suite struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The built `cnnc` next to the test bundle (`swift test` builds it too).
    static var executable: URL? {
        RepositoryFiles.products(holding: "cnnc").map { $0.appendingPathComponent("cnnc") }
            .flatMap { FileManager.default.isExecutableFile(atPath: $0.path) ? $0 : nil }
    }

    /// This process's environment for a cnnc run, with `extra` on top. Every
    /// test's cnnc compiles in one workbench under .build, so the runtime is
    /// compiled once per checkout rather than once per test's model cache.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = nil
        environment["CNNC_WORKBENCH_DIR"] = RepositoryFiles.root.appendingPathComponent(".build/cnnc-test-workbench").path
        environment.merge(extra) { $1 }
        return environment
    }

    static func cnnc(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let executable = try #require(Self.executable, "the cnnc executable was not built")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = RepositoryFiles.root
        process.environment = Self.environment(environment)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   output: String(decoding: outData, as: UTF8.self),
                   errors: String(decoding: errData, as: UTF8.self))
    }

    @Test func summaryPrintsKerasTableWhenPiped() throws {
        let run = try Self.cnnc(["summary", "Specs/mnist_convnet.cnn.yaml"])
        #expect(run.status == 0)
        #expect(run.errors.isEmpty)
        #expect(run.output == (try RepositoryFiles.read("Tests/Fixtures/keras/summary/mnist_convnet.txt")))
    }

    /// COLUMNS=120 makes Keras print at min(88, 120 - 4) = 88.
    @Test func columnsEnvironmentSetsDefaultWidth() throws {
        let run = try Self.cnnc(["summary", "Specs/toy_convnet.cnn.yaml"], environment: ["COLUMNS": "120"])
        #expect(run.status == 0)
        let border = try #require(run.output.split(separator: "\n").dropFirst().first)
        #expect(border.count == 88)
    }

    /// Outputs go into folders made as needed (`mkdir -p`), for every command
    /// alike; a folder that cannot be made is said before anything is
    /// compiled or trained, not after the epochs it would lose.
    @Test func outputFoldersAreMadeOrRefusedFirst() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-file-\(UUID().uuidString)")
        try Data("not a folder".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let save = file.appendingPathComponent("w.safetensors").path
        let run = try Self.cnnc(["train", "Specs/lenet5.cnn.yaml", "--epochs", "1", "--save", save])
        #expect(run.status != 0)
        #expect(run.errors.contains("cannot write \(save): \(file.path) is a file, not a folder"), "\(run.errors)")
        #expect(!run.errors.contains("compiling"))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-new-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let picture = folder.appendingPathComponent("a/b/toy.svg").path
        let drawn = try Self.cnnc(["diagram", "Specs/toy_convnet.cnn.yaml", "-o", picture])
        #expect(drawn.status == 0, "\(drawn.errors)")
        #expect(FileManager.default.fileExists(atPath: picture))
    }

    @Test func summaryOfBrokenSpecFailsWithLocatedError() throws {
        let run = try Self.cnnc(["summary", "Tests/Fixtures/broken/kernel_too_large.yaml"])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.errors == "Tests/Fixtures/broken/kernel_too_large.yaml:5:5: error: conv_3: kernel 5x5 does not fit input 3x3 with padding 'valid'; use a smaller kernel, padding 'same', or a larger input\n")
    }

    @Test func checkReportsEveryFileAndFails() throws {
        let run = try Self.cnnc(["check", "Specs/lenet5.cnn.yaml", "Tests/Fixtures/broken/unknown_layer.yaml", "Tests/Fixtures/broken/missing_input_shape.yaml"])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        let lines = run.errors.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.filter { $0.contains(": error: ") }.count == 4)
        #expect(lines.allSatisfy { $0.hasPrefix("Tests/Fixtures/broken/") })
        #expect(lines[3].contains("unknown_layer.yaml:3:5: note: the layers cnnc supports: Activation, "), "\(lines[3])")
    }

    @Test func checkOfValidSpecsIsSilent() throws {
        let run = try Self.cnnc(["check", "Specs/lenet5.cnn.yaml", "Specs/cats_vs_dogs.cnn.yaml", "Tests/Fixtures/keras/json2/every_layer.json"])
        #expect(run.status == 0)
        #expect(run.output.isEmpty && run.errors.isEmpty)
    }

    /// Options beyond what a run can use are refused before anything is built.
    @Test func absurdThreadsAndLineLengthsAreRefused() throws {
        let threads = try Self.cnnc(["bench", "Specs/lenet5.cnn.yaml", "--threads", "100000"])
        #expect(threads.status != 0 && threads.errors.contains("--threads 100000 is more than cnnc runs (at most 1024)"), "\(threads.errors)")
        let wide = try Self.cnnc(["summary", "Specs/lenet5.cnn.yaml", "--line-length", "9223372036854775807"])
        #expect(wide.status != 0 && wide.errors.contains("use at most 10000"), "\(wide.errors)")
    }

    /// Training-only layers pass at inference, each with a located note.
    @Test func trainingOnlyLayersAreIdentityWithANote() throws {
        let run = try Self.cnnc(["check", "Tests/Fixtures/specs/inference_identity.yaml"])
        #expect(run.status == 0)
        let notes = run.errors.split(separator: "\n")
        #expect(notes.count == 4)
        #expect(notes.first == "Tests/Fixtures/specs/inference_identity.yaml:5:5: note: gaussian_noise: GaussianNoise does nothing at inference; cnnc compiles it as identity (it acts only in training)")
        #expect(notes.last == "Tests/Fixtures/specs/inference_identity.yaml:10:5: note: activity_regularization: ActivityRegularization passes its input on unchanged; its penalty joins the losses of training, validation, testing and evaluate, as in Keras")
    }

    @Test func missingFileIsAnError() throws {
        let run = try Self.cnnc(["summary", "no/such/spec.yaml"])
        #expect(run.status == 1)
        #expect(run.errors == "no/such/spec.yaml:1:1: error: no such spec file\n")
    }

    @Test func tooShortLineLengthIsAnErrorNotATrap() throws {
        let run = try Self.cnnc(["summary", "--line-length", "5", "Specs/lenet5.cnn.yaml"])
        #expect(run.status != 0)
        #expect(run.errors.contains("line length 5 is too short"))
    }

    /// The CPU kind the kernels are shaped for: by option, by environment, and an unknown name refused.
    @Test func targetCPUChoice() throws {
        let spec = "Specs/lenet5.cnn.yaml"
        let forced = try Self.cnnc(["generate", spec, "--target-cpu", "avx2", "--emit-plan"])
        #expect(forced.status == 0 && forced.output.contains(#""target" : "avx2""#))
        let byEnvironment = try Self.cnnc(["generate", spec, "--emit-plan"], environment: ["CNNC_TARGET_CPU": "avx512"])
        #expect(byEnvironment.output.contains(#""target" : "avx512""#))
        let fixture = "Tests/Fixtures/keras/outputs/lenet5"
        let unknown = try Self.cnnc(["predict", spec, "--weights", "\(fixture)/weights.safetensors", "--input", "\(fixture)/input.npy"],
                                    environment: ["CNNC_TARGET_CPU": "avx1024"])
        #expect(unknown.status != 0 && unknown.errors.contains("CNNC_TARGET_CPU: unknown target CPU 'avx1024'; choose one of avx2, avx512-256, avx512"), "\(unknown.errors)")
        let badOption = try Self.cnnc(["generate", spec, "--target-cpu", "sse"])
        #expect(badOption.status != 0 && badOption.errors.contains("'sse'"))
    }

    /// `cnnc diagram`: cnnc's own layout needs nothing; Graphviz's is used when
    /// dot is on the PATH, asked for by name is refused without it, and with
    /// `auto` falls back to cnnc's. Without `-o`, the SVG goes to standard output.
    @Test func diagramLayouts() throws {
        let spec = "Tests/Fixtures/graphs/residual_block.yaml"
        let own = try Self.cnnc(["diagram", spec, "--layout", "cnnc"])
        let golden = try RepositoryFiles.read("Tests/Fixtures/diagrams/residual_block.svg")
        #expect(own.status == 0 && own.output == golden)
        let noDot = ["PATH": "/nonexistent"]
        let refused = try Self.cnnc(["diagram", spec, "--layout", "graphviz"], environment: noDot)
        #expect(refused.status != 0 && refused.errors.contains("--layout graphviz needs Graphviz's dot on the PATH"), "\(refused.errors)")
        let fallback = try Self.cnnc(["diagram", spec], environment: noDot)
        #expect(fallback.output == own.output)
        // A dot that fails: said, and with auto, cnnc's own layout drawn instead.
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("dot")
        try "#!/bin/sh\necho 'dot: out of luck' >&2\nexit 3\n".write(to: broken, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: broken.path)
        let brokenDot = ["PATH": folder.path]
        let warned = try Self.cnnc(["diagram", spec], environment: brokenDot)
        #expect(warned.status == 0 && warned.output == own.output && warned.errors.contains("dot: out of luck; drawing with cnnc's own layout instead"), "\(warned.errors)")
        let failed = try Self.cnnc(["diagram", spec, "--layout", "graphviz"], environment: brokenDot)
        #expect(failed.status != 0 && failed.errors.contains("--layout graphviz: \(broken.path) failed: dot: out of luck"), "\(failed.errors)")
        if GraphvizDot.path != nil {
            let graphviz = try Self.cnnc(["diagram", spec])
            #expect(graphviz.status == 0 && graphviz.output != own.output && graphviz.output.contains("<path class=\"arrow\" d=\"M "))
        }
    }

    @Test func flopsAndMemoryColumns() throws {
        let run = try Self.cnnc(["summary", "--flops", "--memory", "Specs/toy_convnet.cnn.yaml"])
        #expect(run.status == 0)
        #expect(run.output.contains("┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃           FLOPs ┃     Activations ┃"))
        #expect(run.output.contains("│         940,800 │"))        // conv1: 28·28·8 outputs × 75 taps × 2
        #expect(run.output.contains("│        24.50 KB │"))        // conv1: 6,272 floats
        #expect(run.output.contains(" Total FLOPs: 1,701,328 (1.70 MFLOPs)"))
        // What the generated code allocates, from the plan (ReLU in place keeps it under the table's peak).
        #expect(run.output.hasSuffix(" Generated code, per sample: inference arena 30.62 KB (activations 30.62 KB, scratch 0.00 B); training arena 88.34 KB\n"))
    }

    @Test func jsonFormatDescribesTheCheckedModel() throws {
        let run = try Self.cnnc(["summary", "--format", "json", "Tests/Fixtures/specs/same_stride2_even.yaml"])
        #expect(run.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(document["name"] as? String == "same_stride2_even")
        #expect(document["total_params"] as? Int == 387)
        let layers = try #require(document["layers"] as? [[String: Any]])
        #expect(layers.count == 6)
        let conv = layers[0]
        #expect(conv["class_name"] as? String == "Conv2D")
        #expect(conv["output_shape"] as? [Int] == [4, 4, 4])
        // 8 → 4 with a 3x3 kernel and stride 2: 1 row of padding in all, at the bottom.
        #expect(conv["padding"] as? [String: Int] == ["top": 0, "bottom": 1, "left": 0, "right": 1])
        let location = try #require(conv["location"] as? [String: Any])
        #expect(location["line"] as? Int == 6)
        #expect(location["column"] as? Int == 5)
        let config = try #require(conv["config"] as? [String: Any])
        #expect(config["filters"] as? Int == 4)
        #expect(config["padding"] as? String == "same")
    }
}

/// `cnnc generate` and `cnnc predict` end to end, as a user runs them.
@Suite struct GenerateAndPredictCommandTests {
    /// The lecture's vertical-edge filter as `kernelName` in a weights file,
    /// and its 6x6 image as .npy: the edge map is -5, -4, 0, 8 / -10, -2, 2, 3 / …
    static func writeEdgeExample(in folder: URL, kernelName: String) throws -> (weights: String, input: String) {
        let weights = folder.appendingPathComponent("edge.safetensors").path
        let input = folder.appendingPathComponent("image.npy").path
        let layout = [TensorLayout(name: kernelName, shape: [3, 3, 1, 1], offset: 0)]
        try SafeTensors.write(parameters: [1, 0, -1, 1, 0, -1, 1, 0, -1], layout: layout, metadata: [:], to: weights)
        let image: [Float] = [3, 0, 1, 2, 7, 4, 1, 5, 8, 9, 3, 1, 2, 7, 2, 5, 1, 3, 0, 1, 3, 1, 7, 8, 4, 2, 1, 6, 2, 8, 2, 4, 5, 2, 3, 9]
        try NPYFile(shape: [1, 6, 6, 1], values: image).write(to: input)
        return (weights, input)
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The committed zoo is shaped for `avx512-256` on every machine, so the
    /// comparison names that kind: without it, an AVX2 machine shapes for itself.
    @Test func generateWritesOnlyWhenTheBytesChange() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["generate", "Specs/lenet5.cnn.yaml", "--output-dir", folder.path, "--target-cpu", "avx512-256"]
        let first = try CommandLineTests.cnnc(arguments)
        #expect(first.status == 0)
        #expect(first.output == "wrote \(folder.path)/lenet5.cnnc.swift\n")
        let second = try CommandLineTests.cnnc(arguments)
        #expect(second.output == "unchanged \(folder.path)/lenet5.cnnc.swift\n")
        let generated = try String(contentsOf: folder.appendingPathComponent("lenet5.cnnc.swift"), encoding: .utf8)
        #expect(generated == (try RepositoryFiles.read("Generated/lenet5.cnnc.swift")))
    }

    @Test func generateOfBrokenSpecWritesNothing() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try CommandLineTests.cnnc(["generate", "Tests/Fixtures/broken/kernel_too_large.yaml", "--output-dir", folder.path])
        #expect(run.status == 1)
        #expect(run.errors.contains("kernel_too_large.yaml:5:5: error:"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// Builds the lecture's edge-filter model from scratch in a fresh cache,
    /// runs it on the lecture's image, and reads the .npy it wrote.
    @Test func predictCompilesAndRunsTheModel() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (weights, input) = try Self.writeEdgeExample(in: folder, kernelName: "vertical_edge.kernel")
        let output = folder.appendingPathComponent("edges.npy").path
        let environment = ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path]
        let run = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", input, "--output", output], environment: environment)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains("compiling SeedEdge6x6"))
        let result = try NPYFile.read(path: output)
        #expect(result.shape == [1, 4, 4, 1])
        #expect(result.values == [-5, -4, 0, 8, -10, -2, 2, 3, 0, -2, -4, -7, -3, -2, -3, -16])

        // One input given by its name is the same array, as is a wrong name said as such.
        let named = folder.appendingPathComponent("named.npy").path
        let byName = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", "input_layer=\(input)", "--output", named], environment: environment)
        #expect(byName.status == 0, "\(byName.errors)")
        #expect(try NPYFile.read(path: named).values == result.values)
        // The image as uint8 goes in as it is, as in Keras, with a warning that cnnc train scales such images.
        let pixels = folder.appendingPathComponent("pixels.npy").path
        try Data(NPYHeader.encoded(descr: "|u1", shape: [1, 6, 6, 1]) + NPYFile.read(path: input).values.map { UInt8($0) }).write(to: URL(fileURLWithPath: pixels))
        let raw = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", pixels, "--output", named], environment: environment)
        #expect(raw.status == 0 && raw.errors.contains("\(pixels) holds uint8 values, which go in as they are (0 to 255)"), "\(raw.errors)")
        #expect(try NPYFile.read(path: named).values == result.values)
        let wrongName = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", "image=\(input)"], environment: environment)
        #expect(wrongName.status != 0 && wrongName.errors.contains("the model has no input 'image'; its input is 'input_layer'"), "\(wrongName.errors)")

        // The second run reuses the cached build, and draws what the convolution sees.
        let pictures = folder.appendingPathComponent("pictures").path
        let again = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", input, "--plot-layers", pictures], environment: environment)
        #expect(again.status == 0)
        #expect(!again.errors.contains("compiling"))
        #expect(again.output.contains("sample 0: class 3 (8.0000)"))
        let features = try String(contentsOfFile: pictures + "/00_vertical_edge.features.svg", encoding: .utf8)
        #expect(features.contains("<title>0: -16 to 8</title>"), "\(features.prefix(600))")
        let filters = try String(contentsOfFile: pictures + "/00_vertical_edge.filters.svg", encoding: .utf8)
        #expect(filters.contains("from -1 (dark) to 1 (yellow)"))
        // An input of no samples has no first input to draw: said, not a crash.
        let empty = folder.appendingPathComponent("empty.npy").path
        try NPYFile(shape: [0, 6, 6, 1], values: []).write(to: empty)
        let nothing = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", empty, "--plot-layers", pictures + "-empty"], environment: environment)
        #expect(nothing.status != 0)
        #expect(nothing.errors.contains("the input holds no samples"), "\(nothing.errors)")
        let none = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", empty], environment: environment)
        #expect(none.status != 0 && none.errors.contains("the input holds no samples"), "\(none.errors)")
        // The cache is keyed by content: the same spec by its absolute path is the same build.
        let absolute = RepositoryFiles.path("Specs/seed_edge_6x6.cnn.yaml")
        let byAbsolutePath = try CommandLineTests.cnnc(["predict", absolute, "--weights", weights, "--input", input], environment: environment)
        #expect(byAbsolutePath.status == 0 && !byAbsolutePath.errors.contains("compiling"), "\(byAbsolutePath.errors)")

        // A damaged cached executable is noticed and built again, not run.
        let models = folder.appendingPathComponent("cache/models")
        let cached = try #require(try FileManager.default.contentsOfDirectory(atPath: models.path).first { $0.hasPrefix("SeedEdge6x6-") })
        // predict builds the model without its training extension.
        #expect(cached.hasPrefix("SeedEdge6x6-inference-"), "\(cached)")
        let executable = models.appendingPathComponent("\(cached)/Model")
        let binary = try Data(contentsOf: executable)
        try binary.prefix(binary.count / 2).write(to: executable)
        let repaired = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", input], environment: environment)
        #expect(repaired.status == 0, "\(repaired.errors)")
        #expect(repaired.errors.contains("is damaged (the executable has \(binary.count / 2) bytes, not the \(binary.count) it was built with); building it again"), "\(repaired.errors)")
        #expect(repaired.output.hasPrefix("sample 0: class 3 (8.0000)"))
        // Training needs the whole model; once it is built, predict runs it rather than the forward-only one.
        // (This spec's output is no vector of class scores, so the step is refused after the build.)
        let training = try CommandLineTests.cnnc(["bench", "Specs/seed_edge_6x6.cnn.yaml", "--mode", "training", "--seconds", "0.05"], environment: environment)
        #expect(training.errors.contains("compiling SeedEdge6x6") && training.errors.contains("training on class labels needs a vector"), "\(training.errors)")
        try FileManager.default.removeItem(at: models.appendingPathComponent(cached))
        let whole = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", input], environment: environment)
        #expect(whole.status == 0 && !whole.errors.contains("compiling"), "\(whole.errors)")

        // A wrong input shape and a truncated weights file are clear errors.
        try NPYFile(shape: [2, 5, 5, 1], values: [Float](repeating: 0, count: 50)).write(to: input)
        let wrongShape = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", input], environment: environment)
        #expect(wrongShape.status == 1)
        #expect(wrongShape.errors.contains("the input has shape (2, 5, 5, 1); the model takes (N, 6, 6, 1)"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        try bytes.prefix(bytes.count - 4).write(to: URL(fileURLWithPath: weights))
        let truncated = try CommandLineTests.cnnc(["predict", "Specs/seed_edge_6x6.cnn.yaml", "--weights", weights, "--input", input], environment: environment)
        #expect(truncated.status == 1)
        #expect(truncated.errors.contains("the file is truncated"))
    }

    /// A broken spec writes no package (quick: nothing is compiled; the
    /// package a good spec gets is built in `StandalonePackageTests`).
    @Test func buildOfBrokenSpecWritesNoPackage() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let package = folder.appendingPathComponent("broken-model").path
        let broken = try CommandLineTests.cnnc(["build", "Tests/Fixtures/broken/kernel_too_large.yaml", "--output", package])
        #expect(broken.status == 1)
        #expect(broken.errors.contains("kernel_too_large.yaml:5:5: error:"))
        #expect(!FileManager.default.fileExists(atPath: package))
    }
}
