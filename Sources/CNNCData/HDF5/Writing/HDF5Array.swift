/// The values of a dataset: a shape and its elements in row-major order (numpy's
/// default), of one of the element types Keras weights files hold.
public struct HDF5Array: Sendable, Equatable {
    public enum Elements: Sendable, Equatable {
        /// IEEE binary32, written little-endian (`<f4`): Keras weights.
        case float32([Float])
        /// Little-endian two's-complement (`<i4`): Keras 3's optimizer `iterations`.
        case int32([Int32])
        /// Little-endian two's-complement (`<i8`): `iterations` under the TensorFlow backend.
        case int64([Int64])
    }

    /// Dimensions, slowest-varying first; [] is a scalar (one element).
    public var shape: [Int]
    public var elements: Elements

    public init(shape: [Int], elements: Elements) {
        self.shape = shape
        self.elements = elements
    }

    public static func float32(shape: [Int], _ values: [Float]) -> HDF5Array {
        HDF5Array(shape: shape, elements: .float32(values))
    }

    public static func int32(shape: [Int], _ values: [Int32]) -> HDF5Array {
        HDF5Array(shape: shape, elements: .int32(values))
    }

    public static func int64(shape: [Int], _ values: [Int64]) -> HDF5Array {
        HDF5Array(shape: shape, elements: .int64(values))
    }

    /// Bytes per element.
    var elementSize: Int {
        switch elements {
        case .float32, .int32: 4
        case .int64: 8
        }
    }

    var count: Int {
        switch elements {
        case .float32(let values): values.count
        case .int32(let values): values.count
        case .int64(let values): values.count
        }
    }

    /// "float32", "int32", "int64", as numpy names them.
    var typeName: String {
        switch elements {
        case .float32: "float32"
        case .int32: "int32"
        case .int64: "int64"
        }
    }

    /// Checks the shape against the values and returns the size of the data in bytes.
    /// `path` names the dataset in messages.
    func validatedByteCount(path: [String]) throws(HDF5WriteError) -> Int {
        let name = "dataset " + describePath(path)
        guard shape.count <= 32 else {
            throw HDF5WriteError(message: "\(name) has \(shape.count) dimensions; HDF5 allows at most 32")
        }
        var elementCount = 1
        for dimension in shape {
            guard dimension >= 0 else {
                throw HDF5WriteError(message: "\(name) has shape \(shapeText) with a negative dimension")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw HDF5WriteError(message: "\(name) has shape \(shapeText), more elements than can be counted")
            }
            elementCount = product
        }
        guard count == elementCount else {
            throw HDF5WriteError(
                message: "\(name) has shape \(shapeText), which holds \(elementCount) element"
                    + (elementCount == 1 ? "" : "s") + ", but \(count) \(typeName) value"
                    + (count == 1 ? " was" : "s were") + " given")
        }
        let (bytes, overflow) = elementCount.multipliedReportingOverflow(by: elementSize)
        guard !overflow else {
            throw HDF5WriteError(message: "\(name) has shape \(shapeText), more bytes than can be addressed")
        }
        return bytes
    }

    /// "(3, 3, 1, 8)", "(4,)" or "()", as numpy prints shapes.
    var shapeText: String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }

    /// Writes the elements little-endian into `out`, starting at `offset` (the room is
    /// already there).
    func write(into out: inout [UInt8], at offset: Int) {
        switch elements {
        case .float32(let values): copyLittleEndian(values.map(\.bitPattern), into: &out, at: offset)
        case .int32(let values): copyLittleEndian(values, into: &out, at: offset)
        case .int64(let values): copyLittleEndian(values, into: &out, at: offset)
        }
    }
}

/// Copies integers into `out` as little-endian bytes: one memory copy on a
/// little-endian machine, byte by byte elsewhere.
private func copyLittleEndian<T: FixedWidthInteger>(_ values: [T], into out: inout [UInt8], at offset: Int) {
    let size = MemoryLayout<T>.size
    if T(1).littleEndian == T(1) {
        values.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { target in
                guard let base = source.baseAddress, let destination = target.baseAddress else { return }
                (destination + offset).copyMemory(from: base, byteCount: values.count * size)
            }
        }
    } else {
        for (index, value) in values.enumerated() {
            for byte in 0..<size {
                out[offset + index * size + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte))
            }
        }
    }
}
