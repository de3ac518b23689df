/// Where each output pixel of a Resizing layer reads, as Keras 3's JAX
/// backend computes it (`keras.src.backend.jax.image.resize`, then
/// `jax.image.resize`): the image is first cropped or padded to the output's
/// aspect ratio (a canvas: canvas pixel (r, c) is image pixel (r + rowShift,
/// c + columnShift), or the fill value outside the image), then each output
/// row and column reads the canvas's rows and columns by weights.
///
/// Bilinear: output i samples the canvas at s = (i + ½)·in/out − ½, each
/// canvas index j weighing max(0, 1 − |s − j|/k) (k = in/out when shrinking
/// with antialias, else 1), the weights divided by their sum and zeroed
/// where s lies outside [−½, in − ½]; nearest: the index ⌊(i + ½)·in/out⌋.
/// All in Float, as JAX computes them for float32 images.
public struct ResizingGeometry: Hashable, Sendable, Codable {
    public var canvasHeight: Int, canvasWidth: Int
    public var rowShift: Int, columnShift: Int
    /// Per output row (column), `taps` (canvas index, weight) pairs; unused ones weigh 0.
    public var rowTaps: [[Tap]], columnTaps: [[Tap]]

    public struct Tap: Hashable, Sendable, Codable {
        public var index: Int
        public var weight: Float
    }

    public init(_ config: ResizingConfig, inputHeight height: Int, inputWidth width: Int) {
        let (targetHeight, targetWidth) = (config.height, config.width)
        (canvasHeight, canvasWidth, rowShift, columnShift) = (height, width, 0, 0)
        if config.centerCrop, height >= targetHeight, width >= targetWidth {
            // CenterCrop of a large enough input: the middle, read as it is.
            (canvasHeight, canvasWidth) = (targetHeight, targetWidth)
            (rowShift, columnShift) = ((height - targetHeight) / 2, (width - targetWidth) / 2)
        } else if config.cropToAspectRatio {
            // Keras's int(float(...)): a truncation of the Double quotient.
            canvasHeight = max(min(height, Int(Double(width * targetHeight) / Double(targetWidth))), 1)
            canvasWidth = max(min(width, Int(Double(height * targetWidth) / Double(targetHeight))), 1)
            rowShift = Int(Double(height - canvasHeight) / 2)
            columnShift = Int(Double(width - canvasWidth) / 2)
        } else if config.padToAspectRatio {
            // Keras pads one axis only, by the same whole number of rows (or
            // columns) at both ends: half the shortfall, rounded down.
            let padHeight = max(height, Int(Double(width * targetHeight) / Double(targetWidth)))
            let padWidth = max(width, Int(Double(height * targetWidth) / Double(targetHeight)))
            let (top, left) = (Int(Double(padHeight - height) / 2), Int(Double(padWidth - width) / 2))
            if top > 0 {
                (canvasHeight, rowShift) = (height + 2 * top, -top)
            } else if left > 0 {
                (canvasWidth, columnShift) = (width + 2 * left, -left)
            }
        }
        rowTaps = Self.taps(from: canvasHeight, to: targetHeight, bilinear: config.bilinear, antialias: config.antialias)
        columnTaps = Self.taps(from: canvasWidth, to: targetWidth, bilinear: config.bilinear, antialias: config.antialias)
    }

    /// One axis's taps, each output's list as long as the longest.
    static func taps(from input: Int, to output: Int, bilinear: Bool, antialias: Bool) -> [[Tap]] {
        var taps: [[Tap]]
        if !bilinear {
            taps = (0..<output).map { i in
                let offset = ((Float(i) + 0.5) * Float(input)) / Float(output)
                return [Tap(index: min(Int(offset.rounded(.down)), input - 1), weight: 1)]
            }
        } else if input == output {
            taps = (0..<output).map { [Tap(index: $0, weight: 1)] }
        } else {
            let scale = Float(Double(output) / Double(input))
            let inverse = 1 / scale
            let kernelScale: Float = antialias ? max(inverse, 1) : 1
            taps = (0..<output).map { i in
                let sample = (Float(i) + 0.5) * inverse - 0.5
                guard sample >= -0.5, sample <= Float(input) - 0.5 else { return [] }
                // Only the indices within the triangle weigh anything (the others' 0s leave the sum as it is).
                let first = max(0, Int((sample - kernelScale).rounded(.down))), last = min(input - 1, Int((sample + kernelScale).rounded(.up)))
                guard first <= last else { return [] }
                let weights = (first...last).map { j in (j, max(0, 1 - abs(sample - Float(j)) / kernelScale)) }
                let total = weights.reduce(Float(0)) { $0 + $1.1 }
                guard abs(total) > 1000 * Float.ulpOfOne else { return [] }
                return weights.filter { $0.1 != 0 }.map { Tap(index: $0.0, weight: $0.1 / total) }
            }
        }
        let width = max(1, taps.map(\.count).max() ?? 1)
        return taps.map { $0 + Array(repeating: Tap(index: 0, weight: 0), count: width - $0.count) }
    }
}
