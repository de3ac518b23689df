import CNNCCore
import Foundation
import Testing

/// `cnnc diagram`: the boxes and arrows Keras's plot_model draws, rendered
/// by cnnc (SVG) and as Graphviz DOT. The renderings are deterministic, so
/// they are goldens (refresh: `cnnc diagram SPEC [options] -o FILE`, the
/// commands in CONTRIBUTING.md).
@Suite struct ModelDiagramTests {
    static let folder = "Tests/Fixtures/diagrams"

    @Test(arguments: [
        ("Tests/Fixtures/graphs/residual_block.yaml", "residual_block.svg"),
        ("Specs/lenet5.cnn.yaml", "lenet5.dot"),
        ("Tests/Fixtures/graphs/inception_block.yaml", "inception_block_lr.svg"),
    ])
    func renderingMatchesItsGolden(spec: String, golden: String) throws {
        let model = try RepositoryFiles.model(spec)
        let options = ModelDiagram.Options(showFLOPs: golden.contains("_lr"))
        let diagram = ModelDiagram(model: model, options: options)
        let text = golden.hasSuffix(".dot") ? DOTDiagram.render(diagram)
            : SVGDiagram.render(diagram, direction: golden.contains("_lr") ? .leftToRight : .topDown)
        expectMatchesGolden(text, try RepositoryFiles.read("\(Self.folder)/\(golden)"), name: golden,
                            refresh: "swift run cnnc diagram \(spec) --layout cnnc\(golden.contains("_lr") ? " --rankdir LR --show-flops" : "")\(golden.hasSuffix(".dot") ? " --format dot" : "") -o \(Self.folder)/\(golden)")
    }

    /// A box per layer and an arrow per tensor read: the residual block's
    /// shortcut joins the main path at the Add, which reads two boxes.
    @Test func arrowsFollowTheTensorsEachLayerReads() throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/graphs/residual_block.yaml")
        let diagram = ModelDiagram(model: model)
        #expect(diagram.boxes.count == model.layers.count + model.inputs.count)
        let add = try #require(diagram.boxes.firstIndex { $0.lines[0] == "res_add (Add)" })
        #expect(Set(diagram.arrows.filter { $0.to == add }.map { diagram.boxes[$0.from].lines[0] }) == ["res_bn2 (BatchNormalization)", "shortcut_bn (BatchNormalization)"])
        #expect(diagram.boxes[add].level > diagram.boxes.first { $0.lines[0] == "shortcut_bn (BatchNormalization)" }!.level)
    }

    /// A shared layer is one box with every call's inputs, as Keras draws it.
    @Test func aSharedLayerIsOneBox() throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/graphs/siamese_crops.yaml")
        let diagram = ModelDiagram(model: model)
        let encoder = try #require(diagram.boxes.firstIndex { $0.lines[0] == "encoder (Conv2D)" })
        #expect(diagram.boxes.filter { $0.lines[0].hasPrefix("encoder") }.count == 1 && diagram.boxes[encoder].lines.contains("called 2 times"))
        #expect(diagram.arrows.filter { $0.to == encoder }.count == 2)
    }

    /// Names are user text: they cannot break out of the SVG's markup or a DOT string.
    @Test func namesAreEscaped() throws {
        let spec = #"""
            name: 'a<b>&"c'
            input_shape: [4]
            layers:
              - Dense: {units: 2, name: '<text><script>x<&script>"\'}
            """#
        let model = try Frontend.load(text: spec, file: "hostile.yaml").get()
        let diagram = ModelDiagram(model: model)
        let svg = SVGDiagram.render(diagram)
        #expect(!svg.contains("<script>") && svg.contains("&lt;text&gt;&lt;script&gt;x&lt;&amp;script&gt;&quot;\\ (Dense)"))
        #expect(svg.contains(#"<title id="title">a&lt;b&gt;&amp;&quot;c</title>"#))
        let dot = DOTDiagram.render(diagram)
        #expect(dot.contains(#"digraph "a<b>&\"c" {"#) && dot.contains(#"x<&script>\"\\ (Dense)"#))
    }
}
