import ArgumentParser
import CNNCCore
import CNNCRuntime
import Foundation

/// `cnnc diagram SPEC -o model.svg`: the model as Keras's
/// `plot_model(show_shapes=True, show_layer_names=True)` draws it, laid out by
/// Graphviz's `dot` when it is on the PATH (as `plot_model` does) and by cnnc
/// itself otherwise, or as Graphviz DOT with `--format dot`.
struct Diagram: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a spec's layers and how they connect, as Keras's plot_model does: an SVG, or Graphviz DOT.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case svg, dot }
    enum Layout: String, ExpressibleByArgument, CaseIterable { case auto, graphviz, cnnc }

    @Argument(help: "A cnnc spec (.yaml, .json), a Keras model.to_json() file, or a Keras .keras or .h5 file.")
    var spec: String

    @Option(name: [.short, .long], help: "The file to write (replaced as a whole); without it, standard output.")
    var output: String?

    @Option(help: "svg (laid out by Graphviz's dot when it is installed, else by cnnc; see --layout) or dot (Graphviz's language, for `dot -Tpng`).")
    var format: Format = .svg

    @Option(help: "TB (top to bottom, Keras's default) or LR (left to right).")
    var rankdir: String = "TB"

    @Option(help: "Who places the boxes of an SVG: graphviz (its dot program, as plot_model), cnnc (its own rows, the same bytes on every machine), or auto (graphviz when dot is on the PATH).")
    var layout: Layout = .auto

    @Flag(help: "Add each layer's FLOPs per sample.")
    var showFlops = false

    @Flag(help: "Add each layer's output bytes per sample.")
    var showMemory = false

    func validate() throws {
        guard SVGDiagram.Direction(rawValue: rankdir) != nil else {
            throw ValidationError("--rankdir must be TB or LR, not '\(rankdir)'")
        }
    }

    func run() async throws {
        let model = try Diagnostics.loadOrExit(spec)
        let diagram = ModelDiagram(model: model, options: .init(showFLOPs: showFlops, showMemory: showMemory))
        let direction = SVGDiagram.Direction(rawValue: rankdir) ?? .topDown
        let text = format == .dot ? DOTDiagram.render(diagram, rankdir: direction) : SVGDiagram.render(diagram, layout: try await placed(diagram, direction))
        try TextOutput.write(text, to: output)
    }

    /// The layout asked for; with `auto`, a `dot` that fails is reported and cnnc's own layout drawn instead.
    private func placed(_ diagram: ModelDiagram, _ direction: SVGDiagram.Direction) async throws -> DiagramLayout {
        let dot = GraphvizRun.dot
        switch (layout, dot) {
        case (.cnnc, _), (.auto, nil):
            return LayeredLayout.layout(diagram, direction: direction)
        case (.graphviz, nil):
            throw ValidationError("--layout graphviz needs Graphviz's dot on the PATH (Debian: apt-get install graphviz); --layout cnnc needs nothing")
        case (_, let dot?):
            switch await GraphvizRun.layout(diagram, direction: direction, dot: dot) {
            case .success(let placed):
                return placed
            case .failure(let problem) where layout == .graphviz:
                throw ValidationError("--layout graphviz: \(problem.description)")
            case .failure(let problem):
                FileHandle.standardError.write(Data("warning: \(problem.description); drawing with cnnc's own layout instead\n".utf8))
                return LayeredLayout.layout(diagram, direction: direction)
            }
        }
    }
}
