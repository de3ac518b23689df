/// Where each box of a `ModelDiagram` sits and how each arrow runs, in SVG
/// user units (pixels, y down). `LayeredLayout` makes one without any tool;
/// `GraphvizLayout` reads one from Graphviz's `dot`. `SVGDiagram` draws
/// either the same way, so the two differ only in the geometry.
public struct DiagramLayout: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public init(x: Int, y: Int) {
            self.x = x
            self.y = y
        }
    }

    public struct Rectangle: Sendable, Equatable {
        public var x: Int, y: Int, width: Int, height: Int
    }

    /// A line through `points`, or with `curved`, a chain of cubic Bézier
    /// segments (a start point, then three points per segment) as `dot` gives.
    public struct Path: Sendable, Equatable {
        public var points: [Point]
        public var curved: Bool
        public init(points: [Point], curved: Bool) {
            self.points = points
            self.curved = curved
        }
    }

    public var width: Int
    public var height: Int
    /// One per box of the diagram, in its order.
    public var boxes: [Rectangle]
    /// One per arrow of the diagram, in its order.
    public var arrows: [Path]

    /// Pixels around the drawing, and between boxes (rows are two apart in cnnc's layout).
    static let margin = 16, gap = 28

    /// The size of each box's text in a monospace font, with padding: the
    /// same for every layout, so the same text always fits. A 12px monospace
    /// character is 7.2px wide in DejaVu Sans Mono (librsvg's and most
    /// browsers' choice on Linux); 7.5 leaves room for wider fonts.
    static func boxSizes(_ diagram: ModelDiagram) -> [(width: Int, height: Int)] {
        diagram.boxes.map { box in
            (width: ((box.lines.map(\.count).max() ?? 0) * 15 + 1) / 2 + 2 * SVGDiagram.padding,
             height: box.lines.count * SVGDiagram.lineHeight + 2 * SVGDiagram.padding)
        }
    }
}
