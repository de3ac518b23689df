import Foundation

/// Keras 3's image augmentation layers in training, one image (height ×
/// width × channels, channels last) at a time, and their gradients: what the
/// generated training step calls with the parameters it drew for the sample.
/// Each follows Keras 3.15 (`keras.src.layers.preprocessing.image_preprocessing`)
/// and its JAX backend: the affine ones sample their input where
/// `jax.scipy.ndimage.map_coordinates` does (Tests: `RandomImageOperationsTests`
/// against Keras's `transform_images` for fixed parameters).
public enum RandomImageOperations {
    /// Keras's `fill_mode` as `map_coordinates` maps an index outside the image.
    public enum Fill: Sendable {
        /// `d c b a | a b c d | d c b a`
        case reflect
        /// `a b c d | a b c d | a b c d`
        case wrap
        /// `k k k k | a b c d | k k k k`, k the fill value
        case constant(Float)
        /// `a a a a | a b c d | d d d d`
        case nearest

        /// Keras's name, with its fill value for `constant`; nil for a mode it lacks.
        public init?(_ name: String, value: Float) {
            switch name {
            case "reflect": self = .reflect
            case "wrap": self = .wrap
            case "constant": self = .constant(value)
            case "nearest": self = .nearest
            default: return nil
            }
        }

        /// The index an index outside 0..<size reads; nil where `constant` reads its value.
        @inline(__always)
        func index(_ index: Int, size: Int) -> Int? {
            if index >= 0 && index < size { return index }
            switch self {
            case .constant: return nil
            case .nearest: return min(max(index, 0), size - 1)
            case .wrap: return ((index % size) + size) % size
            case .reflect:
                // jax's _reflect_index_fixer: the mirror (period 2·(2·size + 1) − 2) of 2i + 1, halved.
                let period = 2 * (2 * size + 1 - 1)
                let shifted = 2 * index + 1 + (2 * size + 1 - 1)
                let mirrored = abs(((shifted % period) + period) % period - (2 * size + 1 - 1))
                return (mirrored - 1) / 2  // mirrored is odd
            }
        }
    }

    // MARK: RandomFlip

    /// y = x flipped left to right and/or top to bottom.
    public static func flip(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, height: Int, width: Int, channels: Int,
                            horizontal: Bool, vertical: Bool) {
        for row in 0..<height {
            let source = vertical ? height - 1 - row : row
            for column in 0..<width {
                let from = (source * width + (horizontal ? width - 1 - column : column)) * channels
                (y + (row * width + column) * channels).update(from: x + from, count: channels)
            }
        }
    }

    /// dL/dx from dL/dy in place: the same flip (its own inverse).
    public static func flipGradient(_ g: UnsafeMutablePointer<Float>, height: Int, width: Int, channels: Int, horizontal: Bool, vertical: Bool) {
        let count = height * width * channels
        let copy = [Float](UnsafeBufferPointer(start: g, count: count))
        copy.withUnsafeBufferPointer { flip($0.baseAddress!, g, height: height, width: width, channels: channels, horizontal: horizontal, vertical: vertical) }
    }

    // MARK: RandomRotation, RandomZoom, RandomTranslation

    /// Keras's affine transform `[a0, a1, a2, b0, b1, b2]`: output pixel (row r,
    /// column c) reads the input at column a0·c + a1·r + a2, row b0·c + b1·r + b2.
    public static func rotation(degrees: Float, height: Int, width: Int) -> [Float] {
        let angle = degrees * (Float.pi / 180)
        let (cx, cy) = (0.5 * Float(width - 1), 0.5 * Float(height - 1))
        let (a0, a1, b0, b1) = (cos(angle), -sin(angle), sin(angle), cos(angle))
        return [a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1]
    }

    /// RandomZoom's transform: each axis scaled about the image's center.
    public static func zoom(height zoomY: Float, width zoomX: Float, height: Int, width: Int) -> [Float] {
        [zoomX, 0, (Float(width) - 1) / 2 * (1 - zoomX), 0, zoomY, (Float(height) - 1) / 2 * (1 - zoomY)]
    }

    /// RandomTranslation's transform: the image moved `dy` rows down and `dx` columns right.
    public static func translation(dy: Float, dx: Float) -> [Float] {
        [1, 0, -dx, 0, 1, -dy]
    }

    /// The corners output pixel (row, column) reads, in `map_coordinates`'s
    /// order ((r0, c0), (r0, c1), (r1, c0), (r1, c1); the nearest one alone),
    /// as pixel indices (−1 where `constant` reads its fill value) and weights.
    /// Written out without closures or arrays: with each pixel building its
    /// taps as arrays, a training step of flip, rotation and zoom on 32 images
    /// of 96x96x3 (three convolutions after them) took 25.0 ms, now 23.5 (Zen 5).
    @inline(__always)
    static func corners(row: Int, column: Int, transform t: UnsafePointer<Float>, height: Int, width: Int, bilinear: Bool,
                        fill: Fill) -> (pixels: SIMD4<Int32>, weights: SIMD4<Float>) {
        let (r, c) = (Float(row), Float(column))
        let sourceRow = (r * t[4] + c * t[3]) + t[5]
        let sourceColumn = (r * t[1] + c * t[0]) + t[2]
        // A place no image index reaches (or not a number) reads the fill value, as an index outside does.
        guard abs(sourceRow) < 1e9, abs(sourceColumn) < 1e9 else { return (SIMD4(-1, 0, 0, 0), SIMD4(1, 0, 0, 0)) }
        func pixel(_ i: Int, _ j: Int) -> Int32 {
            guard let i = fill.index(i, size: height), let j = fill.index(j, size: width) else { return -1 }
            return Int32(i * width + j)
        }
        guard bilinear else {
            let i = Int(sourceRow.rounded(.toNearestOrAwayFromZero)), j = Int(sourceColumn.rounded(.toNearestOrAwayFromZero))
            return (SIMD4(pixel(i, j), 0, 0, 0), SIMD4(1, 0, 0, 0))
        }
        let (lowerRow, lowerColumn) = (sourceRow.rounded(.down), sourceColumn.rounded(.down))
        let (upperRowWeight, upperColumnWeight) = (sourceRow - lowerRow, sourceColumn - lowerColumn)
        let (lowerRowWeight, lowerColumnWeight) = (1 - upperRowWeight, 1 - upperColumnWeight)
        let (i0, j0) = (Int(lowerRow), Int(lowerColumn))
        return (SIMD4(pixel(i0, j0), pixel(i0, j0 + 1), pixel(i0 + 1, j0), pixel(i0 + 1, j0 + 1)),
                SIMD4(lowerRowWeight * lowerColumnWeight, lowerRowWeight * upperColumnWeight,
                      upperRowWeight * lowerColumnWeight, upperRowWeight * upperColumnWeight))
    }

    /// y = the input read through `transform` (6 floats).
    public static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, transform: UnsafePointer<Float>,
                              height: Int, width: Int, channels: Int, bilinear: Bool, fill: Fill) {
        let fillValue: Float = if case .constant(let value) = fill { value } else { 0 }
        let taps = bilinear ? 4 : 1
        for row in 0..<height {
            for column in 0..<width {
                let out = y + (row * width + column) * channels
                let (pixels, weights) = corners(row: row, column: column, transform: transform, height: height, width: width,
                                                bilinear: bilinear, fill: fill)
                for channel in 0..<channels {
                    var sum: Float = 0
                    for tap in 0..<taps {
                        let pixel = Int(pixels[tap])
                        sum += weights[tap] * (pixel >= 0 ? x[pixel * channels + channel] : fillValue)
                    }
                    out[channel] = sum
                }
            }
        }
    }

    /// dL/dx from dL/dy in place: each output pixel's gradient goes back to the
    /// pixels it read, by the same weights (a fill value takes none).
    public static func affineGradient(_ g: UnsafeMutablePointer<Float>, transform: UnsafePointer<Float>,
                                      height: Int, width: Int, channels: Int, bilinear: Bool, fill: Fill) {
        let count = height * width * channels
        let outputGradient = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { outputGradient.deallocate() }
        outputGradient.update(from: g, count: count)
        g.update(repeating: 0, count: count)
        let taps = bilinear ? 4 : 1
        for row in 0..<height {
            for column in 0..<width {
                let from = outputGradient + (row * width + column) * channels
                let (pixels, weights) = corners(row: row, column: column, transform: transform, height: height, width: width,
                                                bilinear: bilinear, fill: fill)
                for tap in 0..<taps where pixels[tap] >= 0 {
                    let into = g + Int(pixels[tap]) * channels
                    for channel in 0..<channels { into[channel] += weights[tap] * from[channel] }
                }
            }
        }
    }

    // MARK: RandomContrast, RandomBrightness

    /// The derivative of `clip(v, low, high)` (jnp.clip: minimum(maximum(v,
    /// low), high)), whose maximum and minimum split a tie's gradient in halves.
    @inline(__always)
    static func clipSlope(_ v: Float, low: Float, high: Float) -> Float {
        let lower: Float = v > low ? 1 : (v == low ? 0.5 : 0)
        let clamped = max(v, low)
        return lower * (clamped < high ? 1 : (clamped == high ? 0.5 : 0))
    }

    /// Each channel's mean over the image, as Keras takes it (over rows, then columns).
    static func channelMeans(_ x: UnsafePointer<Float>, height: Int, width: Int, channels: Int) -> [Float] {
        var means = [Float](repeating: 0, count: channels)
        for channel in 0..<channels {
            var total: Double = 0
            for pixel in 0..<(height * width) { total += Double(x[pixel * channels + channel]) }
            means[channel] = Float(total / Double(height * width))
        }
        return means
    }

    /// y = clip((x − mean)·factor + mean, low, high), the mean each channel's.
    public static func contrast(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, factor: Float,
                                height: Int, width: Int, channels: Int, low: Float, high: Float) {
        let means = channelMeans(x, height: height, width: width, channels: channels)
        for pixel in 0..<(height * width) {
            for channel in 0..<channels {
                let index = pixel * channels + channel
                y[index] = min(max((x[index] - means[channel]) * factor + means[channel], low), high)
            }
        }
    }

    /// dL/dx in place: dL/dx_k = u_k·factor·g_k + (1 − factor)/N·Σ_i u_i·g_i per
    /// channel, u the clip's slope at each value.
    public static func contrastGradient(_ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, factor: Float,
                                        height: Int, width: Int, channels: Int, low: Float, high: Float) {
        let means = channelMeans(x, height: height, width: width, channels: channels)
        let pixels = height * width
        for channel in 0..<channels {
            var passed: Double = 0
            for pixel in 0..<pixels {
                let index = pixel * channels + channel
                g[index] *= clipSlope((x[index] - means[channel]) * factor + means[channel], low: low, high: high)
                passed += Double(g[index])
            }
            let shared = Float((1 - Double(factor)) * passed / Double(pixels))
            for pixel in 0..<pixels { g[pixel * channels + channel] = g[pixel * channels + channel] * factor + shared }
        }
    }

    /// y = clip(x + delta, low, high).
    public static func brightness(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, delta: Float, count: Int, low: Float, high: Float) {
        for index in 0..<count { y[index] = min(max(x[index] + delta, low), high) }
    }

    /// dL/dx in place: the clip's slope times dL/dy.
    public static func brightnessGradient(_ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, delta: Float, count: Int, low: Float, high: Float) {
        for index in 0..<count { g[index] *= clipSlope(x[index] + delta, low: low, high: high) }
    }
}
