import CNNCRuntime
import CNNCTraining

/// An .npz array read as images: (N, H, W) is one channel, (N, H, W, C) is C,
/// and (N, F), a vector per sample as tabular data comes, is a row of F
/// values of one channel, which a model of F inputs (or a sequence of F
/// steps) takes as it is.
struct NPZImages {
    var count: Int
    var height: Int
    var width: Int
    var channels: Int
    var pixels: [Float]

    var imageShape: [Int] { [height, width, channels] }
    var shapeText: String { "\(height)x\(width)x\(channels)" }

    init(_ array: NPYArray, file: String) throws(DataError) {
        let shape = array.shape
        guard (2...4).contains(shape.count) else {
            throw DataError("\(file): array '\(array.name)' has shape \(TensorLayout.shapeText(shape)); samples must be (N, features), images (N, height, width) or (N, height, width, channels)")
        }
        count = shape[0]
        height = shape.count == 2 ? 1 : shape[1]
        width = shape.count == 2 ? shape[1] : shape[2]
        channels = shape.count == 4 ? shape[3] : 1
        switch array.header.dtype {
        case .uint8:
            pixels = PixelScaling.unitInterval(array.elements)
        case .float32, .float64:
            pixels = array.header.floats(in: array.bytes)
            if let bad = pixels.firstIndex(where: { !$0.isFinite }) {
                throw DataError("\(file): array '\(array.name)' holds \(pixels[bad]) at element \(bad); images must be finite numbers")
            }
        default:
            throw DataError.unsupportedDType(file, array: array.name, dtype: array.header.descr,
                                             expected: "images must be uint8 (scaled by 1/255), float32 or float64")
        }
    }
}

/// An .npz array read as labels: class indices, (N,) or (N, 1), or rows (N, K),
/// one-hot or soft (label smoothing: Keras's losses take such rows as they are).
/// Indices are not yet checked against a class count (that needs both parts).
struct NPZLabels {
    var name: String
    var indices: [Int64]
    /// K for one-hot labels (each row's largest column is its class), nil for indices.
    var oneHotWidth: Int?
    /// The rows as given when some row is not exactly one-hot, nil otherwise.
    var softRows: [Float]?

    init(_ array: NPYArray, file: String) throws(DataError) {
        name = array.name
        let shape = array.shape
        let header = array.header
        if shape.count == 2 && shape[1] > 1 {
            oneHotWidth = shape[1]
            let rows = header.floats(in: array.bytes)
            if let bad = rows.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
                throw DataError("\(file): row \(bad / shape[1]) of the label rows '\(name)' holds \(rows[bad]) in column \(bad % shape[1]); label rows are one-hot or class probabilities, finite and at least 0")
            }
            indices = try Self.rowMaxima(rows, width: shape[1], name: name, file: file)
            let oneHot = rows.allSatisfy { $0 == 0 || $0 == 1 } && rows.lazy.filter { $0 == 1 }.count == indices.count
            softRows = oneHot ? nil : rows
            return
        }
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw DataError("\(file): array '\(name)' has shape \(TensorLayout.shapeText(shape)); labels must be class indices (N,) or (N, 1), or one-hot rows (N, classes)")
        }
        oneHotWidth = nil
        softRows = nil
        if let integers = header.integers(in: array.bytes) {
            indices = integers
            return
        }
        let values = header.floats(in: array.bytes)
        if let bad = values.firstIndex(where: { $0.rounded() != $0 || abs($0) > 1e9 }) {
            throw DataError("\(file): array '\(name)' holds \(values[bad]) at item \(bad); class indices must be whole numbers")
        }
        indices = values.map { Int64($0) }
    }

    /// The class of each one-hot row: its largest column, which must be positive.
    private static func rowMaxima(_ values: [Float], width: Int, name: String, file: String) throws(DataError) -> [Int64] {
        var classes: [Int64] = []
        classes.reserveCapacity(values.count / width)
        for row in 0..<(values.count / width) {
            let columns = values[(row * width)..<((row + 1) * width)]
            guard let best = columns.indices.max(by: { columns[$0] < columns[$1] }), columns[best] > 0 else {
                throw DataError("\(file): row \(row) of the one-hot array '\(name)' has no positive entry; each row needs a 1 in its class's column")
            }
            classes.append(Int64(best - row * width))
        }
        return classes
    }
}
