import CNNCCore
import CNNCRuntime
import Foundation
import Testing

/// `cnnc export --format keras`: what cnnc writes is what Keras 3 itself wrote
/// for the same model (Tests/Fixtures/keras/json3/, made by
/// Tools/keras-fixtures/make_fixtures.py), and reading it back gives the same
/// checked model.
@Suite struct KerasExportTests {
    static let specs = KerasGoldenTests.specs

    static func stem(_ path: String) -> String { String(path.split(separator: "/").last!.split(separator: ".").first!) }

    /// Keras's `build_config` and `compile_config` record the state of a live
    /// Python object (built, compiled); they do not describe the model, and
    /// `model_from_json` does not need them.
    static func normalized(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]:
            var copy: [String: Any] = [:]
            for (key, item) in object where key != "build_config" && key != "compile_config" { copy[key] = normalized(item) }
            return copy
        case let array as [Any]: return array.map(normalized)
        default: return value
        }
    }

    @Test(arguments: specs)
    func exportEqualsWhatKerasWrites(spec: String) throws {
        let model = try Frontend.load(path: RepositoryFiles.path(spec)).get()
        let ours = try JSONSerialization.jsonObject(with: Data(KerasModelJSON.text(for: model).utf8))
        let keras = try JSONSerialization.jsonObject(with: Data(RepositoryFiles.read("Tests/Fixtures/keras/json3/\(Self.stem(spec)).json").utf8))
        let a = Self.normalized(ours) as? NSDictionary, b = Self.normalized(keras) as? NSDictionary
        #expect(a != nil && a == b, "\(spec): \(Self.firstDifference(Self.normalized(ours), Self.normalized(keras)) ?? "?")")
    }

    @Test(arguments: specs)
    func roundTripGivesTheSameCheckedModel(spec: String) throws {
        let model = try Frontend.load(path: RepositoryFiles.path(spec)).get()
        let back = try Frontend.load(text: KerasModelJSON.text(for: model), file: "exported.json").get()
        #expect(back.name == model.name && back.inputShape == model.inputShape && back.layers.count == model.layers.count)
        for (a, b) in zip(model.layers, back.layers) {
            #expect(a.name == b.name && a.className == b.className && a.operation == b.operation, "\(spec): \(a.name)")
            #expect(a.outputShape == b.outputShape && a.padding == b.padding && a.parameters == b.parameters && a.flops == b.flops)
        }
    }

    /// The command: model.json and the checked weights, or, for weights of another model, an error and nothing written.
    @Test func exportCommandWritesModelAndWeights() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = RepositoryFiles.path("Tests/Fixtures/keras/outputs/lenet5/weights.safetensors")
        let out = folder.appendingPathComponent("lenet5").path
        let run = try CommandLineTests.cnnc(["export", "Specs/lenet5.cnn.yaml", "--format", "keras", "--output", out, "--weights", weights])
        #expect(run.status == 0, "\(run.errors)")
        let model = try Frontend.load(path: RepositoryFiles.path("Specs/lenet5.cnn.yaml")).get()
        #expect(try String(contentsOfFile: out + "/model.json", encoding: .utf8) == KerasModelJSON.text(for: model))
        #expect(FileManager.default.contents(atPath: out + "/weights.safetensors") == FileManager.default.contents(atPath: weights))

        let other = folder.appendingPathComponent("other").path
        let refused = try CommandLineTests.cnnc(["export", "Specs/lenet5.cnn.yaml", "--output", other,
                                                 "--weights", RepositoryFiles.path("Tests/Fixtures/keras/outputs/toy_convnet/weights.safetensors")])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("the weights do not fit the model") && refused.errors.contains("missing tensor 'conv2d.kernel' of shape (5, 5, 1, 6)"))
        #expect(!FileManager.default.fileExists(atPath: other))
    }

    /// Keras 3 refuses '/' in a layer name, which tf.keras allowed: the export of
    /// a Keras 2 model renames those layers, '/' → '_', in the JSON, the weights
    /// and the .keras file alike, and never onto a name the model already has.
    @Test func exportRenamesKeras2LayerNamesKeras3Refuses() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("slash").path
        let run = try CommandLineTests.cnnc(["export", "Tests/Fixtures/keras/files/slash_names.keras2.h5", "--output", out])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("note: Keras 3 refuses '/' in a layer name: 5 layers renamed, '/' → '_' (Conv/BatchNorm → Conv_BatchNorm)"))
        let exported = try Frontend.load(path: out + "/model.json").get()
        #expect(exported.layers.map(\.name) == ["Conv", "Conv_BatchNorm", "re_lu", "expanded_conv_depthwise", "expanded_conv_depthwise_BatchNorm",
                                                "expanded_conv_squeeze_excite_AvgPool", "Logits_dense"])
        let original = try SafeTensors.read(path: RepositoryFiles.path("Tests/Fixtures/keras/files/slash_names/weights.safetensors"))
        let written = try SafeTensors.read(path: out + "/weights.safetensors")
        #expect(written.tensors["expanded_conv_depthwise.kernel"]?.values == original.tensors["expanded_conv/depthwise.kernel"]?.values)
        #expect(written.tensors.count == original.tensors.count && !written.tensors.keys.contains { $0.contains("/") })
        #expect(FileManager.default.fileExists(atPath: out + "/model.keras"))
    }

    @Test func renamedLayersTakeAFreeName() throws {
        let model = try Frontend.load(text: """
            {"class_name": "Sequential", "config": {"name": "s", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "input_1"}},
              {"class_name": "Dense", "config": {"units": 2, "name": "a_b"}},
              {"class_name": "Dense", "config": {"units": 2, "name": "a/b"}},
              {"class_name": "Dense", "config": {"units": 2, "name": "a_b_1"}}]},
             "keras_version": "2.15.0", "backend": "tensorflow"}
            """, file: "s.json").get()
        let names = Keras3LayerNames(for: model)
        #expect(names.renamed == ["a/b": "a_b_2"])
        #expect(names.apply(to: model).layers.map(\.name) == ["a_b", "a_b_2", "a_b_1"])
        #expect(names.tensorName("a/b.kernel") == "a_b_2.kernel" && names.tensorName("a_b.kernel") == "a_b.kernel")
    }

    /// Where two JSON values first differ, as a path, for the failure message.
    static func firstDifference(_ a: Any, _ b: Any, path: String = "$") -> String? {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                guard let xv = x[key], let yv = y[key] else { return "\(path).\(key): only in \(x[key] == nil ? "Keras" : "cnnc")" }
                if let difference = firstDifference(xv, yv, path: "\(path).\(key)") { return difference }
            }
            return nil
        case let (x as [Any], y as [Any]):
            guard x.count == y.count else { return "\(path): \(x.count) items, Keras \(y.count)" }
            for (index, (xv, yv)) in zip(x, y).enumerated() {
                if let difference = firstDifference(xv, yv, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return (a as? NSObject) == (b as? NSObject) ? nil : "\(path): cnnc \(a), Keras \(b)"
        }
    }
}
