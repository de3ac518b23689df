import ArgumentParser
import CNNCCore
import CNNCRuntime
import Foundation

/// `cnnc diagram SPEC -o model.svg`: the model as Keras's
/// `plot_model(show_shapes=True, show_layer_names=True)` draws it, laid out by
/// cnnc itself (no Graphviz needed), or as Graphviz DOT with `--format dot`.
struct Diagram: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a spec's layers and how they connect, as Keras's plot_model does: an SVG, or Graphviz DOT.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case svg, dot }

    @Argument(help: "A cnnc spec (.yaml, .json), a Keras model.to_json() file, or a Keras .keras or .h5 file.")
    var spec: String

    @Option(name: [.short, .long], help: "The file to write (replaced as a whole); without it, standard output.")
    var output: String?

    @Option(help: "svg (laid out by cnnc) or dot (Graphviz's language, for `dot -Tpng`).")
    var format: Format = .svg

    @Option(help: "TB (top to bottom, Keras's default) or LR (left to right).")
    var rankdir: String = "TB"

    @Flag(help: "Add each layer's FLOPs per sample.")
    var showFlops = false

    @Flag(help: "Add each layer's output bytes per sample.")
    var showMemory = false

    func validate() throws {
        guard SVGDiagram.Direction(rawValue: rankdir) != nil else {
            throw ValidationError("--rankdir must be TB or LR, not '\(rankdir)'")
        }
    }

    func run() throws {
        let model = try Diagnostics.loadOrExit(spec)
        let diagram = ModelDiagram(model: model, options: .init(showFLOPs: showFlops, showMemory: showMemory))
        let direction = SVGDiagram.Direction(rawValue: rankdir) ?? .topDown
        let text = format == .dot ? DOTDiagram.render(diagram, rankdir: direction) : SVGDiagram.render(diagram, direction: direction)
        try TextOutput.write(text, to: output)
    }
}
