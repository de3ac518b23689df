import CNNCCore
import Foundation
import Testing

/// Functional models (graphs) against what real Keras printed and wrote for
/// them (Tools/keras-fixtures/make_functional_fixtures.py and
/// make_keras2_functional_json.py): the graph specs of Tests/Fixtures/graphs,
/// and keras.applications VGG16, ResNet50, ResNet50V2, DenseNet121,
/// InceptionV3, MobileNet, MobileNetV2, MobileNetV3Small, Xception, EfficientNetB0,
/// EfficientNetV2B0 and NASNetMobile
/// as Keras 3 (and some as Keras 2) save them.
@Suite struct FunctionalModelTests {
    static let folder = "Tests/Fixtures/keras/functional"
    static let graphSpecs = RepositoryFiles.files(in: "Tests/Fixtures/graphs", extensions: ["yaml"])
    static let keras3JSON = RepositoryFiles.files(in: "\(folder)/json3", extensions: ["json"])
    static let keras2JSON = RepositoryFiles.files(in: "\(folder)/json2", extensions: ["json"])
    static let refresh = "Tools/keras-fixtures/run.sh --functional-only (see CONTRIBUTING.md)"

    static func summary(_ path: String, lineLength: Int = 76) throws -> String {
        try KerasSummary(lineLength: lineLength).render(try RepositoryFiles.model(path))
    }

    @Test func theFixturesCoverTheApplications() {
        let stems = Set(Self.keras3JSON.map(KerasGoldenTests.stem))
        #expect(stems.isSuperset(of: ["vgg16", "resnet50", "resnet50v2", "densenet121", "inceptionv3", "mobilenetv2", "xception", "mobilenet", "efficientnetb0", "nasnetmobile",
                                     "mobilenetv3small", "efficientnetv2b0", "inceptionresnetv2", "convnexttiny"]))
        #expect(Self.graphSpecs.count >= 6)
    }

    /// Not a terminal: Keras prints a graph at 76 columns too (108 less the fallback).
    @Test(arguments: graphSpecs + keras3JSON + keras2JSON)
    func summaryMatchesKeras(file: String) throws {
        let golden = "\(Self.folder)/summary/\(KerasGoldenTests.stem(file)).txt"
        var model = try RepositoryFiles.model(file)
        // tf.keras names an unnamed input `input_1`, Keras 3 `input_layer`; nothing else differs.
        for index in model.inputs.indices where model.inputs[index].name == "input_1" && file.contains("/json2/") {
            model.inputs[index].name = "input_layer"
        }
        expectMatchesGolden(try KerasSummary(lineLength: 76).render(model), try RepositoryFiles.read(golden), name: golden, refresh: Self.refresh)
    }

    /// A model used as a layer is flattened into its layers under Keras's
    /// names (a frozen base's layers frozen), and summarised as one row.
    @Test(arguments: ["json3", "json2"])
    func nestedModelsAreFlattened(form: String) throws {
        let model = try RepositoryFiles.model("\(Self.folder)/\(form)/nested_sequential.json")
        #expect(model.layers.map(\.name) == ["stem", "stem_bn", "stem_relu", "branch", "join", "pool", "head"])
        #expect(model.layers.filter(\.frozen).map(\.name) == ["stem", "stem_bn", "stem_relu", "branch", "join"])
        #expect(model.nestedModels.map(\.name) == ["backbone"] && model.printsAsSequential)
        #expect(model.summaryTable == [.nestedModel(0), .layer(5), .layer(6)])
        let functional = try RepositoryFiles.model("\(Self.folder)/\(form)/nested_functional.json")
        #expect(functional.layers.map(\.name) == ["inner_conv", "inner_relu", "skip", "flat", "logits"])
        #expect(functional.layers[2].inputs == [.input(0), .layer(1)] && !functional.isSequentialLike)
    }

    /// An output a nested model makes is named after the nested model, as
    /// Keras's `output_names` (and so `predict`'s .npz and `fit`'s dict) has it.
    @Test func anOutputOfANestedModelIsNamedAfterIt() throws {
        let model = try RepositoryFiles.model("\(Self.folder)/json3/nested_output.json")
        #expect(model.outputLayout.slots.map(\.name) == ["inner_block", "logits"])
        // Keras's training-step fixture names its targets by output_names.
        let targets = try FileManager.default.contentsOfDirectory(atPath: RepositoryFiles.path("Tests/Fixtures/keras/functional/training_step/nested_output"))
        #expect(Set(targets.filter { $0.hasPrefix("y_") }) == ["y_inner_block.npy", "y_logits.npy"])
    }

    /// `line_length=120` on a 200-column terminal: the Connected to column at full width.
    @Test(arguments: graphSpecs)
    func wideSummaryMatchesKeras(spec: String) throws {
        let golden = "\(Self.folder)/summary-ll120/\(KerasGoldenTests.stem(spec)).txt"
        expectMatchesGolden(try Self.summary(spec, lineLength: 120), try RepositoryFiles.read(golden), name: golden, refresh: Self.refresh)
    }

    @Test func defaultWidthOfAGraph() throws {
        #expect(KerasSummary.defaultLineLength(terminalColumns: 80, sequentialLike: false) == 76)
        #expect(KerasSummary.defaultLineLength(terminalColumns: 200, sequentialLike: false) == 108)
        #expect(try RepositoryFiles.model("Tests/Fixtures/graphs/functional_chain.yaml").isSequentialLike)
        #expect(try !RepositoryFiles.model("Tests/Fixtures/graphs/residual_block.yaml").isSequentialLike)
    }

    /// Graphs of a layer tf.keras does not have (make_functional_fixtures.py's
    /// KERAS3_ONLY_GRAPHS: CustomScaleLayer, LayerScale), so they have no Keras 2 JSON.
    static let keras3OnlyGraphs: Set<String> = ["scaled_residual", "convnext_block"]

    /// The spec language, Keras 3's JSON and Keras 2's JSON give one graph.
    @Test(arguments: graphSpecs)
    func everyFormGivesTheSameGraph(spec: String) throws {
        let stem = KerasGoldenTests.stem(spec)
        let fromSpec = try RepositoryFiles.model(spec)
        let keras2 = Self.keras3OnlyGraphs.contains(stem) ? [] : ["\(Self.folder)/json2/\(stem).json"]
        for file in ["\(Self.folder)/json3/\(stem).json"] + keras2 {
            let other = try RepositoryFiles.model(file)
            #expect(other.kind == .functional && other.name == fromSpec.name, "\(file)")
            #expect(other.inputs.map(\.name) == fromSpec.inputs.map(\.name) && other.inputs.map(\.shape) == fromSpec.inputs.map(\.shape))
            #expect(other.outputs == fromSpec.outputs)
            #expect(other.layers.count == fromSpec.layers.count)
            for (a, b) in zip(other.layers, fromSpec.layers) {
                #expect(a.name == b.name && a.className == b.className && a.operation == b.operation, "\(file): \(a.name)")
                #expect(a.inputs == b.inputs && a.outputShape == b.outputShape && a.parameters == b.parameters, "\(file): \(a.name)")
            }
        }
    }

    /// `cnnc export --format keras` writes the Functional JSON Keras wrote, and it reads back to the same graph
    /// (Keras 3 operations included: `arithmetic_ops`, MobileNetV3's hard sigmoid, `tensor_arithmetic`).
    @Test(arguments: graphSpecs + ["\(folder)/json3/arithmetic_ops.json", "\(folder)/json3/mobilenetv3small.json",
                                   "\(folder)/json3/tensor_arithmetic.json"])
    func exportEqualsWhatKerasWrites(spec: String) throws {
        let model = try RepositoryFiles.model(spec)
        let exported = KerasModelJSON.text(for: model)
        let ours = try JSONSerialization.jsonObject(with: Data(exported.utf8))
        let keras = try JSONSerialization.jsonObject(with: Data(RepositoryFiles.read("\(Self.folder)/json3/\(KerasGoldenTests.stem(spec)).json").utf8))
        let a = KerasExportTests.normalized(ours), b = KerasExportTests.normalized(keras)
        #expect((a as? NSDictionary) == (b as? NSDictionary), "\(spec): \(KerasExportTests.firstDifference(a, b) ?? "?")")
        let back = try Frontend.load(text: exported, file: "exported.json").get()
        #expect(back.layers == model.layers.map { layer in
            var copy = layer
            copy.location = back.layers.first { $0.name == layer.name }?.location ?? layer.location
            return copy
        })
    }

    /// ResNet50 as Keras builds it: 176 layers besides its input and 23,608,202 parameters at 10 classes.
    @Test func resnet50Counts() throws {
        let model = try RepositoryFiles.model("\(Self.folder)/json3/resnet50.json")
        #expect(model.layers.count == 176 && model.inputs.count == 1)
        #expect(model.layers.filter { $0.className == "Add" }.count == 16)
        #expect(model.parameters == 23_608_202)
    }

    /// Every graph compiles and trains, several inputs and outputs too; what
    /// cannot train (an output that is an input, or one tensor returned twice)
    /// is a located error naming it.
    @Test func whatIsNotTrainedYetIsALocatedError() throws {
        let residual = try RepositoryFiles.model("Tests/Fixtures/graphs/residual_block.yaml")
        #expect(residual.trainingGap == nil)
        let twoInputs = try RepositoryFiles.model("Tests/Fixtures/graphs/two_inputs_two_outputs.yaml")
        #expect(twoInputs.trainingGap == nil)
        #expect(try RepositoryFiles.model("\(Self.folder)/json3/vgg16.json").trainingGap == nil)
        #expect(try RepositoryFiles.model("\(Self.folder)/json3/resnet50.json").trainingGap == nil)
        #expect(try RepositoryFiles.model("Tests/Fixtures/graphs/functional_chain.yaml").trainingGap == nil)
        let twice = try Frontend.load(text: "inputs: {x: [4]}\nlayers:\n  - Dense: {units: 2, name: head}\noutputs: [head, head]\n", file: "twice.yaml").get()
        #expect(twice.trainingGap.map { "\($0.location.line): \($0.message)" }?.hasPrefix("3: cnnc trains a model that returns each tensor once; this model returns 'head' 2 times") == true)
        let input = try Frontend.load(text: "inputs: {x: [4]}\nlayers:\n  - Dense: {units: 2, name: head}\noutputs: [head, x]\n", file: "input.yaml").get()
        #expect(input.trainingGap?.message.hasSuffix("this model returns its input 'x'") == true)
    }

    /// Activation memory of a graph: a tensor stays alive until its last reader.
    @Test func peakActivationsFollowLiveness() throws {
        let yaml = """
            inputs: {x: [100]}
            layers:
              - Dense: {units: 10, name: a}
              - Dense: {inputs: x, units: 1000, name: wide}
              - Dense: {units: 10, name: b}
              - Add: {inputs: [a, b]}
            """
        let model = try Frontend.load(text: yaml, file: "peak.yaml").get()
        // While `wide` runs: x (100), a (10) and wide (1000) are alive.
        #expect(model.peakActivationBytes == (100 + 10 + 1000) * 4)
    }

    /// A graph deeper than any call stack: the walk is iterative.
    @Test func aVeryDeepGraphChecks() throws {
        let layers = (0..<20_000).map { "  - ReLU: {inputs: \($0 == 0 ? "x" : "r\($0 - 1)"), name: r\($0)}" }.joined(separator: "\n")
        let model = try Frontend.load(text: "inputs: {x: [4]}\nlayers:\n\(layers)\n", file: "deep.yaml").get()
        #expect(model.layers.count == 20_000 && model.isSequentialLike)
    }
}
