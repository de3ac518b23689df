/// A square grey-scale canvas on which pen strokes are drawn anti-aliased:
/// a pixel is covered by how far its centre lies inside the pen's edge, with
/// a one-pixel ramp (1 well inside, 0 beyond half a pixel outside).
struct StrokeCanvas {
    typealias Point = SIMD2<Double>

    let size: Int
    /// Coverage in [0, 1], row-major.
    private(set) var coverage: [Double]

    init(size: Int) {
        self.size = size
        coverage = [Double](repeating: 0, count: size * size)
    }

    /// A polyline drawn with a round pen `width` pixels wide; coordinates in pixels,
    /// (0, 0) the top-left corner of the top-left pixel.
    mutating func stroke(_ points: [Point], width: Double) {
        guard let first = points.first else { return }
        var previous = first
        for point in points.dropFirst() {
            segment(previous, point, radius: width / 2)
            previous = point
        }
        if points.count == 1 { segment(first, first, radius: width / 2) }
    }

    /// One segment: only the pixels within reach of it are visited.
    private mutating func segment(_ a: Point, _ b: Point, radius: Double) {
        let reach = radius + 0.5
        let low = Point(min(a.x, b.x), min(a.y, b.y)) - reach
        let high = Point(max(a.x, b.x), max(a.y, b.y)) + reach
        guard low.x < Double(size), low.y < Double(size), high.x > 0, high.y > 0 else { return }
        let columns = max(0, Int(low.x))...min(size - 1, Int(high.x))
        let rows = max(0, Int(low.y))...min(size - 1, Int(high.y))
        let direction = b - a
        let lengthSquared = (direction * direction).sum()
        for row in rows {
            for column in columns {
                let centre = Point(Double(column) + 0.5, Double(row) + 0.5)
                let offset = centre - a
                let t = lengthSquared > 0 ? min(max((offset * direction).sum() / lengthSquared, 0), 1) : 0
                let away = offset - t * direction
                let distance = (away * away).sum().squareRoot()
                let covered = min(max(reach - distance, 0), 1)
                let index = row * size + column
                if covered > coverage[index] { coverage[index] = covered }
            }
        }
    }
}
