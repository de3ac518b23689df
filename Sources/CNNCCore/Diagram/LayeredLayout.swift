/// cnnc's own diagram layout, needing no Graphviz: boxes in rows by their
/// level (the longest path from an input), each row centred, arrows from the
/// bottom of a box to the top of its readers (or left to right). An arrow
/// that skips levels runs in a lane of its own beside the boxes it passes.
public enum LayeredLayout {
    public static func layout(_ diagram: ModelDiagram, direction: SVGDiagram.Direction = .topDown) -> DiagramLayout {
        let sizes = DiagramLayout.boxSizes(diagram)
        let (gap, margin) = (DiagramLayout.gap, DiagramLayout.margin)
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
        func point(_ p: (a: Int, c: Int)) -> DiagramLayout.Point {
            direction == .topDown ? .init(x: p.c, y: p.a) : .init(x: p.a, y: p.c)
        }
        let boxes = diagram.boxes.indices.map { index in
            let corner = point(origin[index])
            return DiagramLayout.Rectangle(x: corner.x, y: corner.y, width: sizes[index].width, height: sizes[index].height)
        }
        return DiagramLayout(width: width, height: height, boxes: boxes,
                             arrows: paths.map { DiagramLayout.Path(points: $0.map(point), curved: false) })
    }
}
