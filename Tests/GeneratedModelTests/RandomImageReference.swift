import CNNCCore
import CNNCRuntime
import Foundation

/// Keras 3's image augmentation layers in training, written out plainly in
/// Double for the reference network: the same draws as the generated code
/// (rounded to Float where it keeps Floats), then the transform as Keras's
/// JAX backend computes it: `map_coordinates` over the output pixels,
/// bilinear or nearest, with its fill modes.
enum RandomImageReference {
    static func transform(_ x: [Double], _ transform: RandomImageTransform, shape: [Int], random: inout SplitMix64) -> [Double] {
        let (height, width, channels) = (shape[0], shape[1], shape[2])
        func draw(_ range: ClosedRange<Double>) -> Double {
            Double(Float(range.lowerBound + (range.upperBound - range.lowerBound) * random.nextUnit()))
        }
        func at(_ row: Int, _ column: Int, _ channel: Int) -> Int { (row * width + column) * channels + channel }
        switch transform {
        case .flip(let horizontal, let vertical):
            guard random.nextUnit() <= 0.5 else { return x }
            return x.indices.map { index in
                let (row, column, channel) = (index / (width * channels), index / channels % width, index % channels)
                return x[at(vertical ? height - 1 - row : row, horizontal ? width - 1 - column : column, channel)]
            }
        case .rotation(let degrees, let sampling):
            let angle = Double(Float(draw(degrees) * .pi / 180))
            let (cx, cy) = (0.5 * Double(width - 1), 0.5 * Double(height - 1))
            let (a0, a1, b0, b1) = (cos(angle), -sin(angle), sin(angle), cos(angle))
            return affine(x, [a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1], sampling, height, width, channels)
        case .zoom(let heightRange, let widthRange, let sampling):
            let zoomY = 1 + draw(heightRange)
            let zoomX = widthRange.map { 1 + draw($0) } ?? zoomY
            return affine(x, [zoomX, 0, Double(width - 1) / 2 * (1 - zoomX), 0, zoomY, Double(height - 1) / 2 * (1 - zoomY)],
                          sampling, height, width, channels)
        case .translation(let heightRange, let widthRange, let sampling):
            let dy = draw(heightRange) * Double(height), dx = draw(widthRange) * Double(width)
            return affine(x, [1, 0, -dx, 0, 1, -dy], sampling, height, width, channels)
        case .contrast(let factorRange, let values):
            let factor = draw((1 - factorRange.lowerBound)...(1 + factorRange.upperBound))
            let means = (0..<channels).map { channel in stride(from: channel, to: x.count, by: channels).reduce(0) { $0 + x[$1] } / Double(height * width) }
            return x.indices.map { min(max((x[$0] - means[$0 % channels]) * factor + means[$0 % channels], values.lowerBound), values.upperBound) }
        case .brightness(let factorRange, let values):
            let delta = Double(Float(draw(factorRange) * (values.upperBound - values.lowerBound)))
            return x.map { min(max($0 + delta, values.lowerBound), values.upperBound) }
        }
    }

    /// Output (row, column) reads the input at column t0·c + t1·r + t2, row t3·c + t4·r + t5.
    static func affine(_ x: [Double], _ t: [Double], _ sampling: AffineSampling, _ height: Int, _ width: Int, _ channels: Int) -> [Double] {
        func fixed(_ index: Int, _ size: Int) -> Int? {
            if (0..<size).contains(index) { return index }
            switch sampling.fillMode {
            case "constant": return nil
            case "nearest": return min(max(index, 0), size - 1)
            case "wrap": return ((index % size) + size) % size
            default:
                // reflect: d c b a | a b c d | d c b a
                var i = index
                while !(0..<size).contains(i) { i = i < 0 ? -i - 1 : 2 * size - 1 - i }
                return i
            }
        }
        var y = [Double](repeating: 0, count: x.count)
        for row in 0..<height {
            for column in 0..<width {
                let sourceRow = t[3] * Double(column) + t[4] * Double(row) + t[5]
                let sourceColumn = t[0] * Double(column) + t[1] * Double(row) + t[2]
                var taps: [(Int, Int, Double)] = []
                if sampling.bilinear {
                    let (r0, c0) = (sourceRow.rounded(.down), sourceColumn.rounded(.down))
                    let (wr, wc) = (sourceRow - r0, sourceColumn - c0)
                    taps = [(Int(r0), Int(c0), (1 - wr) * (1 - wc)), (Int(r0), Int(c0) + 1, (1 - wr) * wc),
                            (Int(r0) + 1, Int(c0), wr * (1 - wc)), (Int(r0) + 1, Int(c0) + 1, wr * wc)]
                } else {
                    taps = [(Int(sourceRow.rounded(.toNearestOrAwayFromZero)), Int(sourceColumn.rounded(.toNearestOrAwayFromZero)), 1)]
                }
                for channel in 0..<channels {
                    y[(row * width + column) * channels + channel] = taps.reduce(0) { total, tap in
                        guard let r = fixed(tap.0, height), let c = fixed(tap.1, width) else { return total + tap.2 * sampling.fillValue }
                        return total + tap.2 * x[(r * width + c) * channels + channel]
                    }
                }
            }
        }
        return y
    }
}
