/// A `ModelDiagram` as Graphviz DOT, as Keras's `plot_model` hands it to
/// `dot`: one record-shaped node per box, its lines one under the other.
/// Layer names are user text: every label goes through `quoted`.
public enum DOTDiagram {
    public static func render(_ diagram: ModelDiagram, rankdir: SVGDiagram.Direction = .topDown) -> String {
        var lines = ["digraph \(quoted(diagram.title)) {",
                     "  graph [rankdir=\(rankdir == .topDown ? "TB" : "LR"), label=\(quoted(diagram.title)), labelloc=t];",
                     "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#e8f1f8\", fontname=\"monospace\", fontsize=11];"]
        for (index, box) in diagram.boxes.enumerated() {
            // "\l" ends a left-justified line in a DOT label.
            let label = box.lines.map(escaped).joined(separator: "\\l") + "\\l"
            lines.append("  n\(index) [label=\"\(label)\"];")
        }
        for arrow in diagram.arrows { lines.append("  n\(arrow.from) -> n\(arrow.to);") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A DOT string literal.
    static func quoted(_ text: String) -> String { "\"" + escaped(text) + "\"" }

    /// Backslashes and quotes escaped, and line breaks kept out of the label's layout.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
