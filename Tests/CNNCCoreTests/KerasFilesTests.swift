import CNNCCore
import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// Keras's own model files read as Keras wrote them: a `.keras` archive's
/// architecture is the model Keras summarises, and every weight read from a
/// `.keras`, a Keras 3 `.weights.h5` and a Keras 2 `.h5` is, bit for bit, the
/// seeded weight the file was saved with (Tests/Fixtures/keras/files/, made by
/// Tools/keras-fixtures/make_keras_file_fixtures.py from the committed
/// weights.safetensors beside each model's outputs).
@Suite struct KerasFilesTests {
    static let files = "Tests/Fixtures/keras/files"

    /// (file, the model's spec, the weights it was saved with)
    static let cases: [(file: String, spec: String, weights: String)] = [
        ("batchnorm_inference.keras", "batchnorm_inference.keras", "Tests/Fixtures/keras/outputs/batchnorm_inference"),
        ("batchnorm_inference.weights.h5", "batchnorm_inference.keras", "Tests/Fixtures/keras/outputs/batchnorm_inference"),
        ("residual_block.keras", "residual_block.keras", "Tests/Fixtures/keras/functional/outputs/residual_block"),
        // Normalization's count is a scalar int32 dataset, read as a float like every weight.
        ("reshape_rescale.keras", "reshape_rescale.keras", "Tests/Fixtures/keras/outputs/reshape_rescale"),
        ("reshape_rescale.weights.h5", "reshape_rescale.keras", "Tests/Fixtures/keras/outputs/reshape_rescale"),
        ("residual_block.weights.h5", "residual_block.keras", "Tests/Fixtures/keras/functional/outputs/residual_block"),
        ("residual_block.keras2.h5", "residual_block.keras", "Tests/Fixtures/keras/functional/outputs/residual_block"),
        ("residual_block.keras2-weights.h5", "residual_block.keras", "Tests/Fixtures/keras/functional/outputs/residual_block"),
        ("every_layer.keras2.h5", "../json2/every_layer.json", "Tests/Fixtures/keras/outputs/every_layer"),
        ("every_layer.keras2-weights.h5", "../json2/every_layer.json", "Tests/Fixtures/keras/outputs/every_layer"),
        // Keras 2 names DepthwiseConv2D's kernel `depthwise_kernel`; SeparableConv2D has three weights.
        ("depthwise.keras2.h5", "../json2/depthwise.json", "Tests/Fixtures/keras/outputs/depthwise"),
        ("separable.keras2-weights.h5", "../json2/separable.json", "Tests/Fixtures/keras/outputs/separable"),
        // Conv2DTranspose's kernel is (kh, kw, filters, cin) in tf.keras too.
        ("transposed.keras2.h5", "../json2/transposed.json", "Tests/Fixtures/keras/outputs/transposed"),
        ("transposed.keras2-weights.h5", "../json2/transposed.json", "Tests/Fixtures/keras/outputs/transposed"),
        // tf.keras keeps Normalization's count as an int64 scalar.
        ("reshape_rescale.keras2.h5", "../json2/reshape_rescale.json", "Tests/Fixtures/keras/outputs/reshape_rescale"),
        ("reshape_rescale.keras2-weights.h5", "../json2/reshape_rescale.json", "Tests/Fixtures/keras/outputs/reshape_rescale"),
        // Conv1D's kernel is (k, cin, filters) in both Keras 3 and Keras 2 files.
        ("conv1d.keras", "conv1d.keras", "Tests/Fixtures/keras/outputs/conv1d"),
        ("conv1d.weights.h5", "conv1d.keras", "Tests/Fixtures/keras/outputs/conv1d"),
        ("conv1d.keras2.h5", "../json2/conv1d.json", "Tests/Fixtures/keras/outputs/conv1d"),
        ("conv1d.keras2-weights.h5", "../json2/conv1d.json", "Tests/Fixtures/keras/outputs/conv1d"),
        // A model nested in the model: its layers' weights sit under its own `layers` group.
        ("nested_sequential.keras", "nested_sequential.keras", "Tests/Fixtures/keras/functional/outputs/nested_sequential"),
        ("nested_sequential.weights.h5", "nested_sequential.keras", "Tests/Fixtures/keras/functional/outputs/nested_sequential"),
        // tf.keras keeps a nested model's weights in one group under its name, as `stem/kernel:0`.
        ("nested_sequential.keras2.h5", "../functional/json2/nested_sequential.json", "Tests/Fixtures/keras/functional/outputs/nested_sequential"),
        ("nested_sequential.keras2-weights.h5", "../functional/json2/nested_sequential.json", "Tests/Fixtures/keras/functional/outputs/nested_sequential"),
        // A shared layer has one group, however many times it is called.
        ("shared_layers.keras2.h5", "../functional/json2/shared_layers.json", "Tests/Fixtures/keras/functional/outputs/shared_layers"),
        ("shared_layers.keras2-weights.h5", "../functional/json2/shared_layers.json", "Tests/Fixtures/keras/functional/outputs/shared_layers"),
        // tf.keras allowed '/' in layer names (MobileNetV3's `Conv/BatchNorm`): nested HDF5 groups.
        ("slash_names.keras2.h5", "slash_names.keras2.json", "Tests/Fixtures/keras/files/slash_names"),
        ("slash_names.keras2-weights.h5", "slash_names.keras2.json", "Tests/Fixtures/keras/files/slash_names"),
    ]

    static func model(_ spec: String) throws -> CheckedModel {
        let path = RepositoryFiles.path("\(files)/\(spec)")
        let text = spec.hasSuffix(".keras") ? try KerasArchive(path: path).config : try String(contentsOfFile: path, encoding: .utf8)
        return try Frontend.load(text: text, file: spec).get()
    }

    static func hdf5(_ file: String) throws -> HDF5File {
        let path = RepositoryFiles.path("\(files)/\(file)")
        if file.hasSuffix(".keras") {
            return try HDF5File(bytes: try KerasArchive(path: path).weightsFile(), path: file)
        }
        return try HDF5File.read(path: path)
    }

    @Test(arguments: cases.indices) func weightsAreTheOnesSaved(index: Int) throws {
        let (file, spec, weights) = Self.cases[index]
        let model = try Self.model(spec)
        let layers = KerasWeights.layers(of: model.weightTensors.map { ($0.name, $0.shape) })
        let read = try KerasWeights.read(try Self.hdf5(file), for: layers)
        let saved = try SafeTensors.read(path: RepositoryFiles.path("\(weights)/weights.safetensors"))
        #expect(Set(read.keys) == Set(saved.tensors.keys), "\(file)")
        for (name, tensor) in saved.tensors {
            #expect(read[name]?.map(\.bitPattern) == tensor.values.map(\.bitPattern), "\(file): \(name)")
        }
    }

    @Test func aKerasArchiveSummarisesAsKeras() throws {
        let run = try CommandLineTests.cnnc(["summary", "\(Self.files)/residual_block.keras"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output == (try RepositoryFiles.read("Tests/Fixtures/keras/functional/summary/residual_block.txt")))
        // A trained model's file keeps Adam's state, which Keras counts in the total and on a line of its own.
        let trained = try CommandLineTests.cnnc(["summary", "\(Self.files)/residual_block.trained.keras"])
        #expect(trained.status == 0, "\(trained.errors)")
        #expect(trained.output == (try RepositoryFiles.read("\(Self.files)/residual_block.trained.summary.txt")))
    }

    /// A trained model's optimizer, laid out over cnnc's parameters as Keras
    /// pairs each slot with a weight (the fixture script writes Keras's own
    /// pairing, `optimizer._momentums[i]` with `model.trainable_variables[i]`):
    /// residual_block with its `shortcut` frozen and BatchNormalization's
    /// statistics between the trainable weights, after two steps of each kind.
    @Test(arguments: ["adam", "rmsprop", "sgd"]) func aKerasOptimizerGoesOnFromItsSlots(name: String) throws {
        let archive = try KerasArchive(path: RepositoryFiles.path("\(Self.files)/residual_block.\(name).keras"))
        let model = try Frontend.load(text: archive.config, file: "residual_block.\(name).keras").get()
        let saved = try #require(try archive.savedOptimizer())
        let (configuration, state) = try KerasOptimizerContinuation.continuing(saved, trainable: model.trainableWeightTensors,
                                                                              parameterCount: model.parameterCount)
        let expected = try SafeTensors.read(path: RepositoryFiles.path("\(Self.files)/residual_block.\(name).slots.safetensors")).tensors
        #expect(state["iterations"] == [2])
        #expect(Float(configuration.learningRate) == expected["learning_rate"]?.values.first)
        switch name {
        case "adam": #expect(configuration.kind == .adam && configuration.amsgrad)
        case "rmsprop": #expect(configuration.kind == .rmsprop && configuration.centered && configuration.momentum == 0.5)
        default: #expect(configuration.kind == .sgd && configuration.nesterov && configuration.momentum == 0.9)
        }
        let tensors = Dictionary(uniqueKeysWithValues: model.weightTensors.map { ($0.name, $0) })
        var covered = 0
        for (key, tensor) in expected where key.contains("/") {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            let place = try #require(tensors[parts[1]], "\(key)")
            let slot = try #require(state[parts[0]], "\(key)")
            #expect(Array(slot[place.offset..<(place.offset + tensor.values.count)]) == tensor.values, "\(name): \(key)")
            covered += tensor.values.count
        }
        // Everything else (the frozen layer, the moving statistics) has no slot value.
        let slots = state.filter { $0.key != "iterations" }
        #expect(slots.values.map { $0.filter { $0 != 0 }.count }.reduce(0, +) <= covered && covered > 0)
        #expect(!model.trainableWeightTensors.contains { $0.name.hasPrefix("shortcut.") || $0.name.hasSuffix(".moving_mean") })
    }

    /// `cnnc train m.keras --learning-rate 1e-4` goes on with the file's own
    /// optimizer at that rate, as setting `model.optimizer.learning_rate` in
    /// Keras does: hyperparameters that keep the file's variables are laid
    /// over it; ones that need other variables start it afresh; ones its kind
    /// does not take are refused by name, before any build.
    @Test func givenHyperparametersAreLaidOverTheFilesOptimizer() throws {
        func saved(_ name: String) throws -> OptimizerConfiguration {
            let archive = try KerasArchive(path: RepositoryFiles.path("\(Self.files)/residual_block.\(name).keras"))
            let model = try Frontend.load(text: archive.config, file: "residual_block.\(name).keras").get()
            let saved = try #require(try archive.savedOptimizer())
            return try KerasOptimizerContinuation.continuing(saved, trainable: model.trainableWeightTensors, parameterCount: model.parameterCount).configuration
        }
        let adam = try saved("adam")
        let slower = try adam.applying(numbers: [(.learningRate, 1e-4), (.beta1, 0.8)], flags: [])
        #expect(slower.kind == .adam && slower.amsgrad && slower.learningRate == 1e-4 && slower.beta1 == 0.8 && slower.beta2 == adam.beta2)
        #expect(KerasOptimizerContinuation.keepsVariables(of: adam, slower))
        #expect(throws: RuntimeError("--centered is an option of rmsprop, not adam; adam takes --learning-rate, --beta-1, --beta-2, --epsilon, --amsgrad")) {
            try adam.applying(numbers: [], flags: [.centered])
        }
        let rmsprop = try saved("rmsprop")
        #expect(KerasOptimizerContinuation.keepsVariables(of: rmsprop, try rmsprop.applying(numbers: [(.rho, 0.8)], flags: [])))
        // Momentum 0 keeps no momentum variable: the file's would be left over.
        #expect(!KerasOptimizerContinuation.keepsVariables(of: rmsprop, try rmsprop.applying(numbers: [(.momentum, 0)], flags: [])))
        let sgd = try saved("sgd")
        #expect(KerasOptimizerContinuation.keepsVariables(of: sgd, try sgd.applying(numbers: [(.momentum, 0.5)], flags: [])))

        let refused = try CommandLineTests.cnnc(["train", "\(Self.files)/residual_block.adam.keras", "--nesterov"])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("--nesterov is an option of sgd, not adam"), "\(refused.errors)")
        #expect(!refused.errors.contains("compiling"), "\(refused.errors)")
    }

    /// `cnnc predict m.keras --input x.npy`: the archive is the model and its weights.
    @Test func aKerasArchiveIsOneArgument() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-keras-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputs = "Tests/Fixtures/keras/functional/outputs/residual_block"
        let output = folder.appendingPathComponent("output.npy").path
        let run = try CommandLineTests.cnnc(["predict", "\(Self.files)/residual_block.keras", "--input", "\(outputs)/input.npy", "--output", output],
                                            environment: ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path])
        #expect(run.status == 0, "\(run.errors)")
        let keras = try NPYFile.read(path: RepositoryFiles.path("\(outputs)/output.npy"))
        let cnnc = try NPYFile.read(path: output)
        #expect(cnnc.shape == keras.shape)
        #expect(zip(cnnc.values, keras.values).allSatisfy { abs($0 - $1) <= 1e-6 + 1e-5 * abs($1) })
    }

    /// `cnnc export m.h5`: a Keras 2 model file becomes Keras 3's JSON and safetensors, its weights unchanged.
    @Test func exportConvertsAKerasFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try CommandLineTests.cnnc(["export", "\(Self.files)/residual_block.keras2.h5", "--output", folder.path])
        #expect(run.status == 0, "\(run.errors)")
        let written = try SafeTensors.read(path: folder.appendingPathComponent("weights.safetensors").path)
        let saved = try SafeTensors.read(path: RepositoryFiles.path("Tests/Fixtures/keras/functional/outputs/residual_block/weights.safetensors"))
        #expect(Set(written.tensors.keys) == Set(saved.tensors.keys))
        for (name, tensor) in saved.tensors {
            #expect(written.tensors[name]?.values.map(\.bitPattern) == tensor.values.map(\.bitPattern), "\(name)")
        }
        let json = try String(contentsOf: folder.appendingPathComponent("model.json"), encoding: .utf8)
        #expect(json.contains("\"class_name\" : \"Functional\""))
    }

    /// `cnnc export --weights W` also writes model.keras: it summarises as Keras
    /// does and gives back every weight bit for bit. (That Keras itself loads it,
    /// with no warning and the same predictions, is checked by
    /// Tools/keras-fixtures/check_exported_keras.py, which needs Keras.)
    /// (the Keras fixtures' folder, the stem): a graph, and Normalization's weights with its int count.
    @Test(arguments: [("Tests/Fixtures/keras/functional", "residual_block"), ("Tests/Fixtures/keras", "reshape_rescale")])
    func exportWritesAKerasFileThatReadsBack(fixtures: String, stem: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = "\(fixtures)/outputs/\(stem)/weights.safetensors"
        let run = try CommandLineTests.cnnc(["export", "\(fixtures)/json3/\(stem).json", "--weights", weights, "--output", folder.path])
        #expect(run.status == 0, "\(run.errors)")
        let archive = folder.appendingPathComponent("model.keras").path
        let summary = try CommandLineTests.cnnc(["summary", archive])
        #expect(summary.output == (try RepositoryFiles.read("\(fixtures)/summary/\(stem).txt")), "\(summary.errors)")
        let model = try Frontend.load(text: try KerasArchive(path: archive).config, file: archive).get()
        let read = try KerasWeights.read(try KerasArchive(path: archive).weights(), for: KerasWeights.layers(of: model.weightTensors.map { ($0.name, $0.shape) }))
        let saved = try SafeTensors.read(path: RepositoryFiles.path(weights))
        #expect(Set(read.keys) == Set(saved.tensors.keys))
        for (name, tensor) in saved.tensors {
            #expect(read[name]?.map(\.bitPattern) == tensor.values.map(\.bitPattern), "\(name)")
        }
    }

    /// Another model's file is refused by the first layer that differs, before anything compiles.
    @Test func weightsOfAnotherModelAreNamed() throws {
        let model = try Self.model("residual_block.keras")
        let layers = KerasWeights.layers(of: model.weightTensors.map { ($0.name, $0.shape) })
        #expect(throws: DataError.self) { try KerasWeights.read(try Self.hdf5("batchnorm_inference.weights.h5"), for: layers) }
        do {
            _ = try KerasWeights.read(try Self.hdf5("every_layer.keras2.h5"), for: layers)
            Issue.record("the weights of every_layer were read as residual_block's")
        } catch let error as DataError {
            #expect(error.message.contains("no weights for layer 'stem' (kernel (3, 3, 3, 8), bias (8,))"), "\(error.message)")
        }
        let run = try CommandLineTests.cnnc(["predict", "\(Self.files)/residual_block.keras", "--weights", "\(Self.files)/batchnorm_inference.keras",
                                             "--input", "Tests/Fixtures/keras/functional/outputs/residual_block/input.npy"],
                                            environment: ["CNNC_CACHE_DIR": "/nonexistent/cnnc-cache"])
        #expect(run.status == 1)
        #expect(run.errors.contains("batchnorm_inference.keras/model.weights.h5: no weights for layer 'stem'"), "\(run.errors)")
        #expect(!run.errors.contains("compiling"))
    }
}
