/// A `ModelDiagram` drawn as a self-contained SVG, from a `DiagramLayout`
/// (cnnc's own `LayeredLayout` unless another is given). Sizes come from the
/// text in a monospace font, so the same model always gives the same bytes.
/// It has a title and a description for screen readers, and its colours
/// follow the reader's light or dark theme.
public enum SVGDiagram {
    public enum Direction: String, Sendable, CaseIterable {
        case topDown = "TB"
        case leftToRight = "LR"
    }

    static let lineHeight = 15, padding = 8

    public static func render(_ diagram: ModelDiagram, direction: Direction = .topDown) -> String {
        render(diagram, layout: LayeredLayout.layout(diagram, direction: direction))
    }

    public static func render(_ diagram: ModelDiagram, layout: DiagramLayout) -> String {
        let (width, height) = (layout.width, layout.height)
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"title description\">",
                   "<title id=\"title\">\(escaped(diagram.title))</title>",
                   "<desc id=\"description\">\(escaped("The layers of \(diagram.title), \(diagram.boxes.count) boxes, with arrows from each layer to the layers that read its output."))</desc>",
                   "<style>",
                   "  .box { fill: #e8f1f8; stroke: #3b528b; } .text { fill: #1b1b1b; font: 12px monospace; } .arrow { stroke: #21918c; stroke-width: 1.5; fill: none; } .head { fill: #21918c; }",
                   "  @media (prefers-color-scheme: dark) { .box { fill: #1f2a44; stroke: #5ec962; } .text { fill: #f0f0f0; } }",
                   "</style>",
                   "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"head\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>"]
        func point(_ p: DiagramLayout.Point) -> String { "\(p.x),\(p.y)" }
        for path in layout.arrows {
            if path.curved, let first = path.points.first {
                // dot's splines: a start point, then three points per cubic segment.
                let segments = stride(from: 1, to: path.points.count - 2, by: 3).map { "C " + path.points[$0..<($0 + 3)].map(point).joined(separator: " ") }
                out.append("<path class=\"arrow\" d=\"M \(point(first)) \(segments.joined(separator: " "))\" marker-end=\"url(#head)\"/>")
            } else {
                out.append("<polyline class=\"arrow\" points=\"\(path.points.map(point).joined(separator: " "))\" marker-end=\"url(#head)\"/>")
            }
        }
        for (box, rectangle) in zip(diagram.boxes, layout.boxes) {
            let (x, y) = (rectangle.x, rectangle.y)
            out.append("<g><rect class=\"box\" x=\"\(x)\" y=\"\(y)\" width=\"\(rectangle.width)\" height=\"\(rectangle.height)\" rx=\"6\"/>")
            for (number, line) in box.lines.enumerated() {
                out.append("<text class=\"text\" x=\"\(x + padding)\" y=\"\(y + padding + (number + 1) * lineHeight - 4)\">\(escaped(line))</text>")
            }
            out.append("</g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Text for XML content and attributes.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters are not allowed in XML 1.0.
                if let ascii = character.asciiValue, ascii < 0x20, character != "\t" { out += " " } else { out.append(character) }
            }
        }
        return out
    }
}
