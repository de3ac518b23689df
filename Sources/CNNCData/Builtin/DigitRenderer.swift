import CNNCRuntime
import CNNCTraining

/// Draws one built-in sample: the digit's strokes placed by its style, stray
/// strokes, the occluding box, then paper, ink and noise; each pixel rounded
/// to a multiple of 1/255, as an 8-bit image scaled by 1/255 would be.
enum DigitRenderer {
    static func draw(digit: Int, style: DigitStyle, size: Int, noise random: inout SplitMix64) -> [Float] {
        var ink = StrokeCanvas(size: size)
        for stroke in DigitGlyphs.styles[digit][style.variant] {
            ink.stroke(stroke.map(style.place), width: style.penWidth)
        }
        var stray = StrokeCanvas(size: size)
        var strayLevel = 0.0
        for line in style.clutter {
            stray.stroke(line.points, width: line.width)
            strayLevel = max(strayLevel, line.level)
        }
        return (0..<(size * size)).map { index in
            let paper = style.background
            var value = paper + (style.ink - paper) * ink.coverage[index]
            value = max(value, paper + (strayLevel * style.ink - paper) * stray.coverage[index])
            if let box = style.occluder, box.y.contains(index / size), box.x.contains(index % size) {
                value = style.occluderLevel
            }
            if style.noise > 0 { value += style.noise * standardNormal(&random) }
            return PixelScaling.table[Int(PixelScaling.byte(Float(value)))]
        }
    }

    /// About N(0, 1): the sum of four uniforms, centred and scaled (Irwin–Hall),
    /// which needs no logarithm and so is the same on every machine.
    private static func standardNormal(_ random: inout SplitMix64) -> Double {
        let sum = random.nextUnit() + random.nextUnit() + random.nextUnit() + random.nextUnit()
        return (sum - 2) * 3.0.squareRoot()
    }
}
