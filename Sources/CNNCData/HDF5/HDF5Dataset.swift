/// A dataset: its shape, element type and attributes, and access to its values.
///
/// Values are decoded on request from the file's bytes, which the dataset shares with
/// the file (no copy is made until `floats()` or `integers()` builds its result).
public struct HDF5Dataset: Sendable {
    /// Path inside the file, without a leading slash: "layers/conv2d/vars/0".
    public let path: String
    /// Dimensions, slowest-varying first (row-major, as numpy). [] for a scalar.
    public let shape: [Int]
    public let elementType: HDF5ElementType
    /// In the order they are stored (creation order for files h5py writes).
    public let attributes: [HDF5Attribute]

    let filePath: String
    let bytes: [UInt8]
    let storage: Storage

    /// Where the values are, or why they cannot be read. Refusals are kept rather than
    /// thrown when the file is opened, so that the rest of the file stays readable and
    /// the error names this dataset when someone asks for its values.
    enum Storage: Sendable {
        /// Absolute byte range of exactly `elementCount` elements.
        case bytes(Range<Int>)
        /// Completes the sentence "dataset 'x' ...".
        case refused(String)
    }

    public var name: String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Product of the dimensions (1 for a scalar).
    public var elementCount: Int {
        shape.reduce(1) { product, dimension in product.multipliedReportingOverflow(by: dimension).partialValue }
    }

    public func attribute(_ name: String) throws(HDF5Error) -> HDF5Attribute {
        try lookUpAttribute(name, in: attributes, ownerScope: scope)
    }

    /// All values as Float, in row-major order.
    ///
    /// float32 values are returned as stored. float16 converts exactly. float64 is rounded
    /// to the nearest float32, and integers of every width are converted to the nearest
    /// float32 (exact up to 2^24 in magnitude). Strings and unsupported types are refused.
    public func floats() throws(HDF5Error) -> [Float] {
        let range = try readableRange(purpose: "numbers")
        guard let values = ElementDecoding.floats(bytes, range: range, element: elementType) else {
            throw notNumeric()
        }
        return values
    }

    /// All values as Int64, for integer datasets (Keras keeps seeds and step counters in
    /// them). uint64 values above Int64.max are refused; so are floating-point datasets.
    public func integers() throws(HDF5Error) -> [Int64] {
        let range = try readableRange(purpose: "integers")
        switch elementType {
        case .signedInteger, .unsignedInteger:
            guard let values = ElementDecoding.integers(bytes, range: range, element: elementType) else {
                throw scope.refusal("holds uint64 values above Int64.max; read it with floats() instead")
            }
            return values
        default:
            throw scope.refusal("holds \(elementType), not integers; read it with floats() instead")
        }
    }

    var scope: Scope {
        Scope(filePath: filePath, object: describeDataset(path))
    }

    private func readableRange(purpose: String) throws(HDF5Error) -> Range<Int> {
        if case .unsupported(let what) = elementType {
            throw scope.refusal(
                "has elements of type \(what); cnnc reads little-endian IEEE floats (16, 32, 64 bits) and "
                    + "integers (8 to 64 bits); convert the weights with numpy (e.g. .astype('<f4')) and re-save")
        }
        switch storage {
        case .refused(let reason):
            throw scope.refusal(reason)
        case .bytes(let range):
            return range
        }
    }

    private func notNumeric() -> HDF5Error {
        scope.refusal("holds strings (\(elementType)), not numbers")
    }

    func renamed(to path: String) -> HDF5Dataset {
        HDF5Dataset(
            path: path, shape: shape, elementType: elementType, attributes: attributes,
            filePath: filePath, bytes: bytes, storage: storage)
    }
}
