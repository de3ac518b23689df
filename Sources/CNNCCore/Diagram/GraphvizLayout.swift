/// A diagram laid out by Graphviz's `dot`, as `plot_model` lays it out, and
/// drawn by `SVGDiagram` like cnnc's own layout (same boxes, text, colours,
/// title and description). cnnc hands `dot` only the boxes' sizes, named
/// `n0`, `n1`, … (never a layer name), and reads back `-Tplain`: the centre
/// of each box and the spline of each arrow. Running `dot` is the caller's
/// job; this file only writes its input and reads its output.
public enum GraphvizLayout {
    /// What `dot -Tplain` gave that is not the layout asked for.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    static let pointsPerInch = 72.0
    static let (margin, gap) = (DiagramLayout.margin, DiagramLayout.gap)

    /// The graph `dot` lays out: fixed-size boxes of the sizes `SVGDiagram`
    /// draws, the same arrows, no labels and no arrowheads (so each spline
    /// ends on its box's edge, where `SVGDiagram` puts the head).
    public static func input(_ diagram: ModelDiagram, direction: SVGDiagram.Direction = .topDown) -> String {
        func inches(_ pixels: Int) -> String { String(Double(pixels) / pointsPerInch) }
        var lines = ["digraph layout {",
                     "  graph [rankdir=\(direction.rawValue), nodesep=\(inches(gap)), ranksep=\(inches(gap)), splines=spline];",
                     "  node [shape=box, fixedsize=true, label=\"\"];",
                     "  edge [arrowhead=none];"]
        for (index, size) in DiagramLayout.boxSizes(diagram).enumerated() {
            lines.append("  n\(index) [width=\(inches(size.width)), height=\(inches(size.height))];")
        }
        for arrow in diagram.arrows { lines.append("  n\(arrow.from) -> n\(arrow.to);") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads `dot -Tplain` of `input(diagram)`: lines `graph scale width
    /// height`, `node name x y width height …` and `edge tail head n x1 y1 …`,
    /// in inches with y up; the SVG's y runs down, inside a margin.
    public static func layout(_ diagram: ModelDiagram, plain: String) throws(Unreadable) -> DiagramLayout {
        let sizes = DiagramLayout.boxSizes(diagram)
        var graphHeight: Double?, extent: (width: Int, height: Int)?
        var centres: [Int: DiagramLayout.Point] = [:]
        var splines: [String: [DiagramLayout.Point]] = [:]
        func pixels(_ inches: Double) -> Int { Int((inches * pointsPerInch).rounded()) }
        func number(_ token: Substring) throws(Unreadable) -> Double {
            guard let value = Double(token), value.isFinite, abs(value) < 1e6 else {
                throw Unreadable(description: "Graphviz's dot gave '\(token)' where a coordinate belongs")
            }
            return value
        }
        func point(_ x: Substring, _ y: Substring) throws(Unreadable) -> DiagramLayout.Point {
            guard let top = graphHeight else { throw Unreadable(description: "Graphviz's dot gave no 'graph' line before its nodes") }
            return .init(x: pixels(try number(x)) + margin, y: pixels(top - (try number(y))) + margin)
        }
        for line in plain.split(whereSeparator: \.isNewline) {
            let tokens = line.split(separator: " ")
            switch tokens.first {
            case "graph" where tokens.count >= 4:
                let (width, height) = (try number(tokens[2]), try number(tokens[3]))
                graphHeight = height
                extent = (pixels(width) + 2 * margin, pixels(height) + 2 * margin)
            case "node" where tokens.count >= 4:
                guard tokens[1].hasPrefix("n"), let index = Int(tokens[1].dropFirst()), sizes.indices.contains(index) else {
                    throw Unreadable(description: "Graphviz's dot gave a box '\(tokens[1])' that cnnc did not ask for")
                }
                centres[index] = try point(tokens[2], tokens[3])
            case "edge" where tokens.count >= 4:
                // The count is compared with what the line holds, never multiplied: it is read from dot's output.
                guard let count = Int(tokens[3]), count >= 2, count <= (tokens.count - 4) / 2 else {
                    throw Unreadable(description: "Graphviz's dot gave an arrow without its points: '\(line)'")
                }
                var points: [DiagramLayout.Point] = []
                for index in 0..<count { points.append(try point(tokens[4 + 2 * index], tokens[5 + 2 * index])) }
                splines["\(tokens[1]) \(tokens[2])"] = points
            default:
                continue
            }
        }
        guard let extent else { throw Unreadable(description: "Graphviz's dot gave no 'graph' line") }
        var boxes: [DiagramLayout.Rectangle] = []
        for (index, size) in sizes.enumerated() {
            guard let centre = centres[index] else { throw Unreadable(description: "Graphviz's dot left out box n\(index)") }
            boxes.append(.init(x: centre.x - size.width / 2, y: centre.y - size.height / 2, width: size.width, height: size.height))
        }
        var arrows: [DiagramLayout.Path] = []
        for arrow in diagram.arrows {
            guard let points = splines["n\(arrow.from) n\(arrow.to)"] else {
                throw Unreadable(description: "Graphviz's dot left out the arrow n\(arrow.from) -> n\(arrow.to)")
            }
            // A spline has 3k + 1 points; anything else is drawn as straight lines through them.
            arrows.append(.init(points: points, curved: points.count % 3 == 1 && points.count >= 4))
        }
        return DiagramLayout(width: extent.width, height: extent.height, boxes: boxes, arrows: arrows)
    }
}
