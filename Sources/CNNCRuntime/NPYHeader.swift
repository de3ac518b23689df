import Foundation

/// The element types cnnc reads from `.npy` data, by numpy's name.
public enum NPYDType: String, Sendable, CaseIterable {
    case bool, uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .uint8, .int8: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The dtype of a little-endian (or byte-order free) `descr` such as `<f4` or `|u1`.
    init?(kind: Character, size: Int) {
        let match = Self.allCases.first { $0.kind == kind && $0.size == size }
        guard let match else { return nil }
        self = match
    }

    private var kind: Character {
        switch self {
        case .bool: "b"
        case .uint8, .uint16, .uint32, .uint64: "u"
        case .int8, .int16, .int32, .int64: "i"
        case .float32, .float64: "f"
        }
    }
}

/// The header of a `.npy` array (format version 1.0 to 3.0): a magic string, a
/// Python-dict literal with `descr`, `fortran_order` and `shape`, then the
/// elements in C order from `dataOffset`. Parsing checks everything a reader
/// of the elements relies on: a known little-endian dtype, C order, a shape
/// whose size fits, and enough bytes after the header.
public struct NPYHeader: Sendable, Equatable {
    public var dtype: NPYDType
    /// numpy's spelling of the dtype, such as `<f4`, for messages.
    public var descr: String
    public var shape: [Int]
    /// Where the elements start in the file.
    public var dataOffset: Int

    /// Elements in the array (1 for a scalar's empty shape).
    public var count: Int { shape.reduce(1, *) }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The header of `bytes`; `reads` says which dtypes the caller goes on
    /// to accept, for the message about one it does not.
    public static func parse(_ bytes: [UInt8], path: String, reads: String = "bool, integers, float32 and float64") throws(RuntimeError) -> NPYHeader {
        let start = Array(bytes.prefix(magic.count))
        guard start == Array(magic.prefix(start.count)) else {
            throw RuntimeError("\(path): not a .npy file (it does not start with \\x93NUMPY)")
        }
        guard bytes.count >= 10 else {
            throw RuntimeError("\(path): the file is truncated: \(bytes.count) bytes, less than the 10 every .npy header takes")
        }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard major >= 1, major <= 3, bytes.count >= 8 + lengthBytes else {
            throw RuntimeError("\(path): unsupported .npy version \(major)")
        }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let dataOffset = 8 + lengthBytes + headerLength
        guard dataOffset <= bytes.count else { throw RuntimeError("\(path): the .npy header is truncated") }
        let header = String(decoding: bytes[(8 + lengthBytes)..<dataOffset], as: UTF8.self)
        guard let descr = value(of: "descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")),
              let order = value(of: "fortran_order", in: header)?.trimmingCharacters(in: .whitespaces),
              let shapeText = value(of: "shape", in: header) else {
            throw RuntimeError("\(path): cannot read the .npy header \(header)")
        }
        guard order == "False" else {
            if order == "True" { throw RuntimeError("\(path): the array is in Fortran order; save it with numpy.ascontiguousarray first") }
            throw RuntimeError("\(path): the .npy header's fortran_order is \(order), where numpy writes True or False; the file is damaged")
        }
        // numpy writes each key once; a second one would make the file mean two things.
        if let repeated = ["'descr'", "'fortran_order'", "'shape'"].first(where: { header.components(separatedBy: $0).count > 2 }) {
            throw RuntimeError("\(path): the .npy header gives \(repeated) twice; the file is damaged")
        }
        let dtype = try dtype(of: descr, path: path, reads: reads)
        let shape = try shape(of: shapeText, path: path)
        let parsed = NPYHeader(dtype: dtype, descr: descr, shape: shape, dataOffset: dataOffset)
        let (dataSize, overflow) = parsed.count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, bytes.count - dataOffset >= dataSize else {
            throw RuntimeError("\(path): the file is truncated: shape \(TensorLayout.shapeText(shape)) needs \(overflow ? "more than \(Int.max)" : String(dataSize)) bytes of data, it has \(bytes.count - dataOffset)")
        }
        return parsed
    }

    /// The bytes before the elements of a version 1.0 file holding a C-ordered
    /// `descr` array of `shape`, padded so the elements start at a multiple of 64.
    public static func encoded(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        return magic + [1, 0, UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF)] + Array(header.utf8)
    }

    /// The dtype of `descr`: a byte order (`<` little, `|` not applicable, `=` native), a kind and a size.
    private static func dtype(of descr: String, path: String, reads: String) throws(RuntimeError) -> NPYDType {
        let characters = Array(descr)
        guard characters.count >= 3, "<|=>".contains(characters[0]), let size = Int(String(characters[2...])),
              let dtype = NPYDType(kind: characters[1], size: size) else {
            throw RuntimeError("\(path): the array's dtype \(descr) is not supported; cnnc reads \(reads) here")
        }
        guard characters[0] != ">" || size == 1 else {
            throw RuntimeError("\(path): the array is big-endian (dtype \(descr)); save it little-endian with array.astype('<\(characters[1])\(size)')")
        }
        return dtype
    }

    /// `(60000, 28, 28)`, `(5,)` or `()`; every size non-negative and the product representable.
    private static func shape(of text: String, path: String) throws(RuntimeError) -> [Int] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("("), trimmed.hasSuffix(")"), trimmed.filter({ $0 == "(" || $0 == ")" }).count == 2 else {
            throw RuntimeError("\(path): cannot read the shape \(text) in the .npy header (numpy writes a tuple such as (60000, 28, 28))")
        }
        let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        var product = 1
        for part in parts {
            guard let size = Int(part), size >= 0 else {
                throw RuntimeError("\(path): cannot read the shape \(text) in the .npy header")
            }
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { throw RuntimeError("\(path): the shape \(text) is too large") }
            product = next
            shape.append(size)
        }
        return shape
    }

    /// The text after `'key':` up to the next top-level comma (a shape keeps its parentheses).
    private static func value(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var result = ""
        for character in header[keyRange.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," || character == "}") && depth == 0 { break }
            result.append(character)
        }
        return result.trimmingCharacters(in: .whitespaces)
    }
}

extension NPYHeader {
    /// The elements as Float (integers and float64 converted; uint8 is not scaled).
    /// `bytes` must be the file `parse` read this header from.
    public func floats(in bytes: [UInt8]) -> [Float] {
        convert(bytes, integer: { Float($0) }, unsigned: { Float($0) }, real: { Float($0) })
    }

    /// The elements as Int64, for class labels; nil when the dtype is floating-point.
    /// A uint64 element above Int64.max becomes Int64.max.
    public func integers(in bytes: [UInt8]) -> [Int64]? {
        guard !dtype.isFloatingPoint else { return nil }
        return convert(bytes, integer: { $0 }, unsigned: { Int64(clamping: $0) }, real: { _ in 0 })
    }

    /// One loop per dtype, so each element's load and conversion inline.
    private func convert<T>(
        _ bytes: [UInt8], integer: (Int64) -> T, unsigned: (UInt64) -> T, real: (Double) -> T
    ) -> [T] {
        let count = self.count
        return bytes.withUnsafeBytes { raw -> [T] in
            let base = raw.baseAddress! + dataOffset
            func load<S: FixedWidthInteger>(_: S.Type, _ index: Int) -> S {
                S(littleEndian: (base + index * MemoryLayout<S>.size).loadUnaligned(as: S.self))
            }
            switch dtype {
            case .bool: return (0..<count).map { unsigned(load(UInt8.self, $0) == 0 ? 0 : 1) }
            case .uint8: return (0..<count).map { unsigned(UInt64(load(UInt8.self, $0))) }
            case .int8: return (0..<count).map { integer(Int64(load(Int8.self, $0))) }
            case .uint16: return (0..<count).map { unsigned(UInt64(load(UInt16.self, $0))) }
            case .int16: return (0..<count).map { integer(Int64(load(Int16.self, $0))) }
            case .uint32: return (0..<count).map { unsigned(UInt64(load(UInt32.self, $0))) }
            case .int32: return (0..<count).map { integer(Int64(load(Int32.self, $0))) }
            case .uint64: return (0..<count).map { unsigned(load(UInt64.self, $0)) }
            case .int64: return (0..<count).map { integer(load(Int64.self, $0)) }
            case .float32: return (0..<count).map { real(Double(Float(bitPattern: load(UInt32.self, $0)))) }
            case .float64: return (0..<count).map { real(Double(bitPattern: load(UInt64.self, $0))) }
            }
        }
    }
}
