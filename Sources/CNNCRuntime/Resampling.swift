/// A Resizing layer's resampling (see `ResizingGeometry` in CNNCCore): each
/// output pixel the weighted sum of the canvas pixels its row and column taps
/// name, a canvas pixel outside the image being the fill value; the tables
/// are the generated code's constants.
public struct ResamplingTables: Sendable {
    public let height: Int, width: Int, channels: Int
    public let rowShift: Int, columnShift: Int
    public let fill: Float
    /// Per output row (column), `rowTaps` (`columnTaps`) indices and weights.
    public let rowTaps: Int, rowIndices: [Int], rowWeights: [Float]
    public let columnTaps: Int, columnIndices: [Int], columnWeights: [Float]

    public init(height: Int, width: Int, channels: Int, rowShift: Int, columnShift: Int, fill: Float,
                rowTaps: Int, rowIndices: [Int], rowWeights: [Float], columnTaps: Int, columnIndices: [Int], columnWeights: [Float]) {
        (self.height, self.width, self.channels, self.rowShift, self.columnShift, self.fill) = (height, width, channels, rowShift, columnShift, fill)
        (self.rowTaps, self.rowIndices, self.rowWeights) = (rowTaps, rowIndices, rowWeights)
        (self.columnTaps, self.columnIndices, self.columnWeights) = (columnTaps, columnIndices, columnWeights)
    }

    var outputHeight: Int { rowWeights.count / rowTaps }
    var outputWidth: Int { columnWeights.count / columnTaps }

    /// The image pixel a canvas pixel is, or nil for the fill value.
    @inline(__always)
    private func pixel(_ canvasRow: Int, _ canvasColumn: Int) -> Int? {
        let (row, column) = (canvasRow + rowShift, canvasColumn + columnShift)
        guard row >= 0, row < height, column >= 0, column < width else { return nil }
        return row * width + column
    }

    /// y = the resampled x.
    public func resize(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<outputHeight {
            for l in 0..<outputWidth {
                let out = y + (i * outputWidth + l) * channels
                out.update(repeating: 0, count: channels)
                for a in 0..<rowTaps {
                    let rowWeight = rowWeights[i * rowTaps + a]
                    guard rowWeight != 0 else { continue }
                    for b in 0..<columnTaps {
                        let weight = rowWeight * columnWeights[l * columnTaps + b]
                        guard weight != 0 else { continue }
                        if let source = pixel(rowIndices[i * rowTaps + a], columnIndices[l * columnTaps + b]) {
                            for c in 0..<channels { out[c] += weight * x[source * channels + c] }
                        } else {
                            for c in 0..<channels { out[c] += weight * fill }
                        }
                    }
                }
            }
        }
    }

    /// dL/dx from dL/dy: each output's gradient back to the image pixels it read, by the same weights.
    public func gradient(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: height * width * channels)
        for i in 0..<outputHeight {
            for l in 0..<outputWidth {
                let from = dy + (i * outputWidth + l) * channels
                for a in 0..<rowTaps {
                    for b in 0..<columnTaps {
                        let weight = rowWeights[i * rowTaps + a] * columnWeights[l * columnTaps + b]
                        guard weight != 0, let target = pixel(rowIndices[i * rowTaps + a], columnIndices[l * columnTaps + b]) else { continue }
                        for c in 0..<channels { dx[target * channels + c] += weight * from[c] }
                    }
                }
            }
        }
    }
}
