import CNNCRuntime
import CNNCTraining

/// How one built-in sample is drawn: everything random about it, drawn from a
/// seeded generator, so the same draws give the same image everywhere.
///
/// The ranges give the variations a course on CNNs lists as what makes image
/// classification hard: position, scale, rotation, slant, stroke width,
/// brightness and contrast, a wobbly hand, clutter in the background, noise,
/// and part of the digit hidden.
struct DigitStyle {
    /// Which of the digit's hand-designed styles.
    var variant: Int
    /// The glyph box in pixels.
    var height: Double
    var width: Double
    /// Horizontal shift per pixel down (italic), and rotation in radians.
    var slant: Double
    var rotation: Double
    /// Where the box's centre goes, in pixels from the top-left corner.
    var centre: SIMD2<Double>
    /// A smooth wobble of the pen: amplitude (in box units), spatial frequencies and phases.
    var wobble: Double
    var wobbleFrequency: SIMD2<Double>
    var wobblePhase: SIMD2<Double>
    var penWidth: Double
    /// Grey levels of the paper and the ink.
    var background: Double
    var ink: Double
    /// Standard deviation of the additive pixel noise.
    var noise: Double
    /// Stray strokes: polylines in pixels, with their pen width and grey level.
    var clutter: [(points: [SIMD2<Double>], width: Double, level: Double)]
    /// A box that hides what is under it, filled with `occluderLevel`.
    var occluder: (x: Range<Int>, y: Range<Int>)?
    var occluderLevel: Double

    init(digit: Int, canvas size: Int, using random: inout SplitMix64) {
        let scale = Double(size) / 28
        variant = random.nextInt(below: DigitGlyphs.styles[digit].count)
        height = random.nextUniform(15, 21) * scale
        width = height * random.nextUniform(0.55, 0.8)
        slant = random.nextUniform(-0.3, 0.3)
        rotation = PortableTrigonometry.radians(degrees: random.nextUniform(-14, 14))
        centre = SIMD2(Double(size) / 2 + random.nextUniform(-3, 3) * scale, Double(size) / 2 + random.nextUniform(-3, 3) * scale)
        wobble = random.nextUniform(0, 0.06)
        wobbleFrequency = SIMD2(random.nextUniform(0.5, 1.5), random.nextUniform(0.5, 1.5))
        wobblePhase = SIMD2(random.nextUniform(0, 1), random.nextUniform(0, 1))
        penWidth = random.nextUniform(1.3, 3.3) * scale
        background = random.nextBool() ? 0 : random.nextUniform(0, 0.3)
        ink = random.nextUniform(0.55, 1)
        noise = random.nextBool() ? 0 : random.nextUniform(0, 0.1)
        clutter = []
        if random.nextBool(probability: 0.35) {
            for _ in 0..<(1 + random.nextInt(below: 2)) {
                let start = SIMD2(random.nextUniform(0, Double(size)), random.nextUniform(0, Double(size)))
                let angle = random.nextUniform(0, 2 * Double.pi)
                let length = random.nextUniform(4, 12) * scale
                let bend = random.nextUniform(-0.5, 0.5)
                let end = start + length * SIMD2(PortableTrigonometry.cos(angle), PortableTrigonometry.sin(angle))
                let middle = (start + end) / 2 + bend * length * SIMD2(-PortableTrigonometry.sin(angle), PortableTrigonometry.cos(angle))
                clutter.append((DigitGlyphs.curve(start, middle, end), random.nextUniform(0.8, 2) * scale, random.nextUniform(0.3, 0.8)))
            }
        }
        occluder = nil
        occluderLevel = 0
        if random.nextBool(probability: 0.2) {
            let boxWidth = Int(random.nextUniform(4, 10) * scale)
            let boxHeight = Int(random.nextUniform(4, 10) * scale)
            // Centred somewhere on the glyph, so it hides part of the digit.
            let x = Int(centre.x + random.nextUniform(-0.5, 0.5) * width) - boxWidth / 2
            let y = Int(centre.y + random.nextUniform(-0.5, 0.5) * height) - boxHeight / 2
            occluder = (x..<(x + boxWidth), y..<(y + boxHeight))
            occluderLevel = random.nextBool() ? background : random.nextUniform(0, 0.5)
        }
    }

    /// Where a point of the unit glyph box lands on the canvas, in pixels.
    func place(_ point: SIMD2<Double>) -> SIMD2<Double> {
        let wobbled = point + wobble * SIMD2(
            PortableTrigonometry.sin(2 * Double.pi * (wobbleFrequency.x * point.y + wobblePhase.x)),
            PortableTrigonometry.sin(2 * Double.pi * (wobbleFrequency.y * point.x + wobblePhase.y)))
        let y = (wobbled.y - 0.5) * height
        let x = (wobbled.x - 0.5) * width - slant * y
        let (sine, cosine) = (PortableTrigonometry.sin(rotation), PortableTrigonometry.cos(rotation))
        return centre + SIMD2(cosine * x - sine * y, sine * x + cosine * y)
    }
}
