/// The pen strokes of the ten digits, a few hand-designed styles each, as
/// polylines in a unit box: x from 0 (left) to 1 (right), y from 0 (top) to
/// 1 (bottom). `DigitRenderer` fits the box to about 20 pixels high, warps,
/// slants and rotates it, and draws the polylines with a round pen.
enum DigitGlyphs {
    typealias Point = SIMD2<Double>
    typealias Stroke = [Point]
    typealias Glyph = [Stroke]

    /// `styles[digit]`: the ways to write that digit.
    static let styles: [[Glyph]] = [
        // 0: an oval, closed or overshooting where the pen started.
        [[arc(0.5, 0.5, 0.44, 0.5, from: 90, to: 450)],
         [arc(0.52, 0.5, 0.38, 0.5, from: 100, to: 475)]],
        // 1: a bar; with a flag; with a flag and a foot.
        [[line([0.55, 0], [0.5, 1])],
         [line([0.22, 0.22], [0.6, 0], [0.58, 1])],
         [line([0.25, 0.2], [0.6, 0], [0.6, 1]), line([0.28, 1], [0.9, 1])]],
        // 2: a hook, a diagonal and a base; or a rounder hook into a curved diagonal.
        [[arc(0.5, 0.28, 0.42, 0.28, from: 165, to: -35) + line([0.84, 0.44], [0.04, 1], [0.97, 1])],
         [arc(0.5, 0.3, 0.4, 0.3, from: 170, to: -20) + curve([0.88, 0.4], [0.45, 0.75], [0.05, 1]) + line([0.05, 1], [0.95, 0.96])]],
        // 3: two bowls; or a flat top and one bowl.
        [[arc(0.48, 0.26, 0.4, 0.26, from: 155, to: -90) + arc(0.48, 0.74, 0.45, 0.26, from: 90, to: -155)],
         [line([0.1, 0], [0.88, 0], [0.42, 0.42]) + arc(0.48, 0.7, 0.45, 0.3, from: 105, to: -155)]],
        // 4: closed (diagonal) or open top, and the downstroke.
        [[line([0.68, 0], [0.04, 0.66], [0.97, 0.66]), line([0.7, 0.28], [0.7, 1])],
         [line([0.16, 0], [0.1, 0.6], [0.96, 0.6]), line([0.74, 0.04], [0.72, 1])]],
        // 5: a flag, a neck and a bowl; the flag drawn last.
        [[line([0.9, 0], [0.22, 0], [0.16, 0.47]) + arc(0.48, 0.68, 0.42, 0.32, from: 145, to: -150)],
         [line([0.2, 0.02], [0.15, 0.45]) + arc(0.48, 0.68, 0.42, 0.32, from: 145, to: -150), line([0.2, 0.02], [0.92, 0.05])]],
        // 6: a sweep down the left into a loop.
        [[curve([0.8, 0], [0.1, 0.18], [0.08, 0.72]) + arc(0.5, 0.72, 0.42, 0.28, from: 180, to: -180)],
         [line([0.72, 0], [0.14, 0.62]) + arc(0.5, 0.74, 0.38, 0.26, from: 160, to: -200)]],
        // 7: a bar and a diagonal; with a crossbar; with a curved stem.
        [[line([0.04, 0.02], [0.96, 0.02], [0.38, 1])],
         [line([0.04, 0.02], [0.96, 0.02], [0.4, 1]), line([0.42, 0.52], [0.9, 0.52])],
         [line([0.04, 0.04], [0.96, 0]) + curve([0.96, 0], [0.5, 0.4], [0.45, 1])]],
        // 8: two loops; or a smaller head on a wider body.
        [[arc(0.5, 0.25, 0.34, 0.25, from: -90, to: 270), arc(0.5, 0.75, 0.42, 0.25, from: 90, to: 450)],
         [arc(0.52, 0.22, 0.28, 0.22, from: -90, to: 270), arc(0.5, 0.72, 0.46, 0.28, from: 90, to: 450)]],
        // 9: a loop and a straight or curved stem.
        [[arc(0.5, 0.3, 0.42, 0.3, from: 0, to: 360), line([0.92, 0.3], [0.82, 1])],
         [arc(0.48, 0.3, 0.4, 0.3, from: 10, to: 370) + curve([0.87, 0.25], [0.9, 0.85], [0.42, 1])]],
    ]

    static func line(_ points: Point...) -> Stroke { points }

    /// An elliptical arc about (cx, cy), angles in degrees counterclockwise from
    /// the right as seen on the page (y grows down), a point every 12 degrees or less.
    static func arc(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, from start: Double, to end: Double) -> Stroke {
        let steps = max(2, Int((abs(end - start) / 12).rounded(.up)))
        return (0...steps).map { step in
            let angle = PortableTrigonometry.radians(degrees: start + (end - start) * Double(step) / Double(steps))
            return [cx + rx * PortableTrigonometry.cos(angle), cy - ry * PortableTrigonometry.sin(angle)]
        }
    }

    /// A quadratic Bézier curve from `start` towards `control` to `end`, in eight pieces.
    static func curve(_ start: Point, _ control: Point, _ end: Point) -> Stroke {
        (0...8).map { step in
            let t = Double(step) / 8
            return (1 - t) * (1 - t) * start + 2 * (1 - t) * t * control + t * t * end
        }
    }
}
