/// A `ModelDiagram` laid out and drawn as a self-contained SVG, without
/// Graphviz: boxes in rows by their level (the longest path from an input),
/// each row centred, arrows from the bottom of a box to the top of its
/// readers (or left to right). Sizes come from the text in a monospace font,
/// so the same model always gives the same bytes. It has a title and a
/// description for screen readers, and its colours follow the reader's
/// light or dark theme.
public enum SVGDiagram {
    public enum Direction: String, Sendable, CaseIterable {
        case topDown = "TB"
        case leftToRight = "LR"
    }

    static let characterWidth = 7, lineHeight = 15, padding = 8, gap = 28, margin = 16

    public static func render(_ diagram: ModelDiagram, direction: Direction = .topDown) -> String {
        let sizes = diagram.boxes.map { box in
            (width: (box.lines.map(\.count).max() ?? 0) * characterWidth + 2 * padding, height: box.lines.count * lineHeight + 2 * padding)
        }
        let levels = Dictionary(grouping: diagram.boxes.indices, by: { diagram.boxes[$0].level }).sorted { $0.key < $1.key }.map(\.value)
        // Along the flow: the level's extent; across it: the boxes side by side.
        func along(_ index: Int) -> Int { direction == .topDown ? sizes[index].height : sizes[index].width }
        func across(_ index: Int) -> Int { direction == .topDown ? sizes[index].width : sizes[index].height }
        let depths = levels.map { level in level.map(along).max() ?? 0 }
        let breadths = levels.map { level in level.map(across).reduce(0, +) + gap * max(0, level.count - 1) }
        let breadth = breadths.max() ?? 0
        // Positions along the flow (a) and across it (c); a point becomes (x, y) at the end.
        var origin = [(a: Int, c: Int)](repeating: (0, 0), count: diagram.boxes.count)
        var position = margin
        for (number, level) in levels.enumerated() {
            var side = margin + (breadth - breadths[number]) / 2
            for index in level {
                origin[index] = (position + (depths[number] - along(index)) / 2, side)
                side += across(index) + gap
            }
            position += depths[number] + 2 * gap
        }
        // An arrow that spans several levels goes around the boxes between, in a lane of its own beside them.
        var paths: [[(a: Int, c: Int)]] = []
        var lanes = 0, farthest = margin + breadth
        for arrow in diagram.arrows {
            let (from, to) = (arrow.from, arrow.to)
            let start = (a: origin[from].a + along(from), c: origin[from].c + across(from) / 2)
            let end = (a: origin[to].a, c: origin[to].c + across(to) / 2)
            let (low, high) = (diagram.boxes[from].level, diagram.boxes[to].level)
            let between = diagram.boxes.indices.filter { diagram.boxes[$0].level > low && diagram.boxes[$0].level < high }
            guard !between.isEmpty else {
                paths.append([start, end])
                continue
            }
            let lane = (between.map { origin[$0].c + across($0) }.max() ?? 0) + gap / 2 + 8 * lanes
            lanes += 1
            farthest = max(farthest, lane)
            paths.append([start, (start.a + gap / 2, start.c), (start.a + gap / 2, lane), (end.a - gap / 2, lane), (end.a - gap / 2, end.c), end])
        }
        let length = position - 2 * gap + margin
        let wide = max(breadth + 2 * margin, farthest + margin)
        let (width, height) = direction == .topDown ? (wide, length) : (length, wide)
        func point(_ p: (a: Int, c: Int)) -> String { direction == .topDown ? "\(p.c),\(p.a)" : "\(p.a),\(p.c)" }
        func corner(_ index: Int) -> (x: Int, y: Int) { direction == .topDown ? (origin[index].c, origin[index].a) : (origin[index].a, origin[index].c) }
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"title description\">",
                   "<title id=\"title\">\(escaped(diagram.title))</title>",
                   "<desc id=\"description\">\(escaped("The layers of \(diagram.title), \(diagram.boxes.count) boxes, with arrows from each layer to the layers that read its output."))</desc>",
                   "<style>",
                   "  .box { fill: #e8f1f8; stroke: #3b528b; } .text { fill: #1b1b1b; font: 12px monospace; } .arrow { stroke: #21918c; stroke-width: 1.5; fill: none; } .head { fill: #21918c; }",
                   "  @media (prefers-color-scheme: dark) { .box { fill: #1f2a44; stroke: #5ec962; } .text { fill: #f0f0f0; } }",
                   "</style>",
                   "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"head\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>"]
        for path in paths {
            out.append("<polyline class=\"arrow\" points=\"\(path.map(point).joined(separator: " "))\" marker-end=\"url(#head)\"/>")
        }
        for (index, box) in diagram.boxes.enumerated() {
            let (x, y) = corner(index)
            out.append("<g><rect class=\"box\" x=\"\(x)\" y=\"\(y)\" width=\"\(sizes[index].width)\" height=\"\(sizes[index].height)\" rx=\"6\"/>")
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
