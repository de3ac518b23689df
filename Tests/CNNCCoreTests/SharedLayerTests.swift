@testable import CNNCCore
import Foundation
import Testing

/// A layer called more than once shares its weights (Keras's shared layer):
/// `shared_layers` (make_functional_fixtures.py) calls a convolution on two
/// crops of its image and a Dense layer on its own output. Its summary,
/// outputs, per-layer reference and training step are checked against Keras
/// with the other graphs (FunctionalModelTests, GraphModelsTests,
/// TrainingStepAgainstKerasTests); this pins what the checker makes of it.
@Suite struct SharedLayerTests {
    static let forms = ["json3", "json2"].map { "Tests/Fixtures/keras/functional/\($0)/shared_layers.json" }

    @Test(arguments: forms)
    func eachCallIsANodeThatReusesTheFirstCallsWeights(file: String) throws {
        let model = try RepositoryFiles.model(file)
        let names = model.layers.map(\.descriptionName)
        #expect(Set(names) == ["top_left", "bottom_right", "shared_conv", "shared_conv[1]", "difference", "pool",
                               "shared_dense", "shared_dense[1]", "head"])
        let conv = try #require(names.firstIndex(of: "shared_conv")), again = try #require(names.firstIndex(of: "shared_conv[1]"))
        #expect(model.layers[again].sharesWeightsOf == conv && model.layers[again].callIndex == 1)
        // The weights count once, as Keras's summary counts them: 112 + 20 + 15.
        #expect(model.parameters == 147 && model.layers[again].parameters == 0)
        #expect(model.weightTensors.map(\.name) == ["shared_conv.kernel", "shared_conv.bias", "shared_dense.kernel", "shared_dense.bias",
                                                    "head.kernel", "head.bias"])
    }

    /// Keras runs a graph's calls by depth (`map_graph`), not in layer order:
    /// in `shared_norm_order` the second call of the shared normalization,
    /// whose branch is one layer shorter to the Concatenate, runs first, and
    /// its moving-statistics update comes first (TrainingStepAgainstKerasTests
    /// checks where they end against Keras). A chain runs in layer order.
    @Test func callsRunInKerassOrderOfDepths() throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/graphs/shared_norm_order.yaml")
        let ranks = KerasExecutionOrder.ranks(of: model)
        let names = model.layers.map(\.descriptionName)
        let rank = { (name: String) in ranks[names.firstIndex(of: name)!] }
        #expect(rank("norm[1]") < rank("norm") && rank("encoder[1]") < rank("encoder"))
        #expect(rank("stem") == 0 && rank("middle") == 1 && rank("head") == names.count - 1)
        let chain = try RepositoryFiles.model("Specs/lenet5.cnn.yaml")
        #expect(KerasExecutionOrder.ranks(of: chain) == Array(chain.layers.indices))
    }

    /// The export writes the layer once with a call per node, and Keras's
    /// node index where a later call is read; reading it back gives the same model.
    @Test func theExportListsEveryCallOfTheLayer() throws {
        let model = try RepositoryFiles.model(Self.forms[0])
        let text = KerasModelJSON.text(for: model)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let layers = try #require((object["config"] as? [String: Any])?["layers"] as? [[String: Any]])
        let conv = try #require(layers.first { $0["name"] as? String == "shared_conv" })
        #expect((conv["inbound_nodes"] as? [Any])?.count == 2)
        #expect(layers.filter { $0["name"] as? String == "shared_dense" }.count == 1)
        // head reads the second call of shared_dense: ["shared_dense", 1, 0].
        let head = try #require(layers.first { $0["name"] as? String == "head" })
        let call = try #require((head["inbound_nodes"] as? [[String: Any]])?.first)
        let tensor = try #require((call["args"] as? [[String: Any]])?.first?["config"] as? [String: Any])
        let history = try #require(tensor["keras_history"] as? [Any])
        #expect(history.count == 3 && history[0] as? String == "shared_dense" && history[1] as? Int == 1 && history[2] as? Int == 0)
        let back = try Frontend.load(text: text, file: "shared.json").get()
        #expect(try KerasSummary(lineLength: 76).render(back) == KerasSummary(lineLength: 76).render(model))
    }

    /// The spec language's `Call` makes the same nodes as Keras's JSON, and
    /// `encoder[1]` reads the second call, in `inputs:` and `outputs:` alike.
    @Test func theSpecLanguageCallsALayerAgain() throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/graphs/siamese_crops.yaml")
        let second = try #require(model.layers.firstIndex { $0.descriptionName == "encoder[1]" })
        let first = try #require(model.layers.firstIndex { $0.descriptionName == "encoder" })
        #expect(model.layers[second].sharesWeightsOf == first && model.parameters == 76 + 15)
        let difference = try #require(model.layers.first { $0.name == "difference" })
        #expect(difference.inputs == [.layer(first), .layer(second)])
        let spec = """
            input_shape: [4]
            layers:
              - Dense: {units: 4, activation: tanh, name: twice}
              - Call: {layer: twice}
            outputs: ["twice[1]", twice]
            """
        let chained = try Frontend.load(text: spec, file: "twice.yaml").get()
        // Without inputs:, the call reads the layer above it: here the first call's output.
        #expect(chained.layers.map(\.descriptionName) == ["twice", "twice[1]"] && chained.layers[1].inputs == [.layer(0)])
        #expect(chained.outputs == [.layer(1), .layer(0)])
    }

    @Test func aCallIndexIsReadOnlyFromATrailingNumberInBrackets() {
        let location = CNNCCore.SourceLocation(file: "t.yaml", line: 1, column: 1)
        let second = SpecLanguageParser.tensorName("encoder[1]", at: location)
        #expect(second.layer == "encoder" && second.nodeIndex == 1)
        for literal in ["a[b]", "[2]", "x[1", "x[-1]"] {
            let name = SpecLanguageParser.tensorName(literal, at: location)
            #expect(name.layer == literal && name.nodeIndex == 0, "\(literal)")
        }
    }

    /// A layer shared inside a nested model: once flattened after the outer
    /// model's own layers, its second call still reuses its first.
    @Test(arguments: ["json3", "json2"])
    func aLayerSharedInsideANestedModelKeepsItsCalls(form: String) throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/keras/functional/\(form)/nested_shared.json")
        #expect(model.layers.map(\.descriptionName) == ["lead", "twice", "twice[1]", "out"])
        #expect(model.layers[2].sharesWeightsOf == 1 && model.layers[2].inputs == [.layer(1)])
        #expect(model.parameters == 28 + 20 + 15)
    }

    /// A nested model called on two tensors (a Siamese tower) is flattened once
    /// a call, the later call's layers sharing the first call's weights; a
    /// layer shared inside it is called twice a call, so the block's second
    /// call reads its third and fourth calls. Keras 3 numbers the model's calls
    /// from node 0, tf.keras from node 1: both name the same tensors.
    @Test(arguments: ["json3", "json2"])
    func aNestedModelCalledTwiceSharesItsWeights(form: String) throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/keras/functional/\(form)/siamese_blocks.json")
        let names = model.layers.map(\.descriptionName)
        #expect(Set(names) == ["lead", "other", "twice", "twice[1]", "twice[2]", "twice[3]", "step_dense", "step_elu",
                               "step_dense[1]", "step_elu[1]", "join", "out"])
        let index = { (name: String) in try #require(names.firstIndex(of: name)) }
        #expect(model.layers[try index("twice[2]")].sharesWeightsOf == (try index("twice")))
        #expect(model.layers[try index("twice[2]")].inputs == [.layer(try index("other"))])
        #expect(model.layers[try index("twice[3]")].inputs == [.layer(try index("twice[2]"))])
        #expect(model.layers[try index("step_dense[1]")].inputs == [.layer(try index("step_elu"))])
        #expect(model.layers[try index("join")].inputs == [.layer(try index("step_elu[1]")), .layer(try index("twice[3]"))])
        #expect(model.parameters == 28 + 28 + 20 + 20 + 15)
        #expect(model.nestedModels.map(\.name) == ["block", "block", "step", "step"])
        #expect(model.summaryTable.filter { if case .nestedModel = $0 { true } else { false } }.count == 2)
    }

    /// A nested model's node that no call has is refused by name, not read as another call.
    @Test func aNestedModelsMissingCallIsRefused() throws {
        let path = "Tests/Fixtures/keras/functional/json3/siamese_tower.json"
        let original = try RepositoryFiles.read(path)
        let indent = "\n" + String(repeating: " ", count: 22)
        let text = original.replacingOccurrences(of: "\"tower\"," + indent + "1,", with: "\"tower\"," + indent + "2,")
        #expect(text != original)
        guard case .failure(let error) = Frontend.load(text: text, file: "siamese_tower.json") else {
            Issue.record("a call the model does not have was read")
            return
        }
        #expect("\(error)".contains("names a call the nested model 'tower' does not have: it is called 2 times, as nodes 0 to 1"), "\(error)")
    }
}
