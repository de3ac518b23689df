import Foundation

/// One file in LeCun's IDX format, as MNIST and Fashion-MNIST are distributed:
/// a big-endian magic number (two zero bytes, the element type, the number of
/// dimensions), one big-endian UInt32 size per dimension, then the elements
/// in row-major order. Only unsigned bytes (type 0x08) occur in these data sets.
struct IDXFile {
    /// The sizes after the magic number: [count, rows, columns] for images, [count] for labels.
    var dimensions: [Int]
    /// The elements, row-major.
    var elements: ArraySlice<UInt8>

    /// 0x00000803: unsigned bytes in three dimensions (images).
    static let imagesMagic: UInt32 = 0x0000_0803
    /// 0x00000801: unsigned bytes in one dimension (labels).
    static let labelsMagic: UInt32 = 0x0000_0801

    /// Reads `path`, gunzipping it if it is gzip'd, and checks that it is an IDX
    /// file of kind `magic` whose size matches its header.
    static func read(path: String, magic: UInt32) throws(DataError) -> IDXFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError.unreadable(path) }
        var bytes = [UInt8](data)
        if Gzip.isCompressed(bytes) { bytes = try Gzip.decompress(bytes, path: path, longest: { declaredSize($0, magic: magic) }) }
        return try parse(bytes, path: path, magic: magic)
    }

    static func parse(_ bytes: [UInt8], path: String, magic: UInt32) throws(DataError) -> IDXFile {
        let kind = magic == imagesMagic ? "images" : "labels"
        guard bytes.count >= 4 else {
            throw DataError.truncated(path, expected: 4, actual: bytes.count, what: "the IDX magic number")
        }
        let found = bigEndianUInt32(bytes, at: 0)
        guard found == magic else { throw DataError.wrongMagic(path, expected: magic, found: found, kind: kind) }
        let rank = Int(magic & 0xFF)
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError.truncated(path, expected: headerSize, actual: bytes.count, what: "the header of an IDX \(kind) file")
        }
        let dimensions = (0..<rank).map { Int(bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
        // The sizes come from the file: a damaged header must not overflow the arithmetic.
        var size = 1
        for dimension in dimensions {
            let (product, overflow) = size.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Int.max - headerSize else {
                throw DataError("\(path): the IDX header's sizes \(dimensions) are too large to be real")
            }
            size = product
        }
        let shape = dimensions.map(String.init).joined(separator: "x")
        guard bytes.count >= headerSize + size else {
            throw DataError.truncated(path, expected: headerSize + size, actual: bytes.count, what: "a header and \(shape) bytes")
        }
        guard bytes.count == headerSize + size else {
            throw DataError("\(path): the file has \(bytes.count) bytes, \(bytes.count - headerSize - size) more than the header's \(shape) bytes describe")
        }
        return IDXFile(dimensions: dimensions, elements: bytes[headerSize...])
    }

    /// The whole file's size as the header at the start of `bytes` gives it,
    /// once the header is there and says a size an Int holds.
    static func declaredSize(_ bytes: [UInt8], magic: UInt32) -> Int? {
        let rank = Int(magic & 0xFF), headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize, bigEndianUInt32(bytes, at: 0) == magic else { return nil }
        var elements = 1
        for axis in 0..<rank {
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(bigEndianUInt32(bytes, at: 4 + 4 * axis)))
            guard !overflow, product <= Int.max - headerSize else { return nil }
            elements = product
        }
        return headerSize + elements
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
}
