import Foundation

/// numpy's `.npy` format (version 1.0 to 3.0): a magic string, a Python-dict
/// header with `descr`, `fortran_order` and `shape`, then C-ordered data.
/// Reads float32, float64 and uint8 (as float32); writes float32.
public struct NPYFile: Sendable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    public static func read(path: String) throws(RuntimeError) -> NPYFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError(FileManager.default.fileExists(atPath: path) ? "\(path): cannot read the file" : "\(path): no such file")
        }
        return try parse([UInt8](data), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws(RuntimeError) -> NPYFile {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw RuntimeError("\(path): not a .npy file (it does not start with \\x93NUMPY)")
        }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard major >= 1, major <= 3, bytes.count >= 8 + lengthBytes else {
            throw RuntimeError("\(path): unsupported .npy version \(major)")
        }
        let headerLength = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        let dataStart = 8 + lengthBytes + headerLength
        guard dataStart <= bytes.count else { throw RuntimeError("\(path): the .npy header is truncated") }
        let header = String(decoding: bytes[(8 + lengthBytes)..<dataStart], as: UTF8.self)
        guard let descr = value(of: "descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")),
              let order = value(of: "fortran_order", in: header)?.trimmingCharacters(in: .whitespaces),
              let shapeText = value(of: "shape", in: header) else {
            throw RuntimeError("\(path): cannot read the .npy header \(header)")
        }
        guard order == "False" else {
            throw RuntimeError("\(path): the array is in Fortran order; save it with numpy.ascontiguousarray first")
        }
        let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap { Int($0) }
        let count = shape.reduce(1, *)
        let itemSize: Int
        switch descr {
        case "<f4": itemSize = 4
        case "<f8": itemSize = 8
        case "|u1", "<u1", "u1": itemSize = 1
        default:
            throw RuntimeError("\(path): the array's dtype is \(descr); cnnc reads float32 ('<f4'), float64 and uint8")
        }
        guard bytes.count - dataStart >= count * itemSize else {
            throw RuntimeError("\(path): the file is truncated: shape \(TensorLayout.shapeText(shape)) needs \(count * itemSize) bytes of data, it has \(bytes.count - dataStart)")
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            for index in 0..<count {
                switch itemSize {
                case 4: values[index] = Float(bitPattern: UInt32(littleEndian: (base + index * 4).loadUnaligned(as: UInt32.self)))
                case 8: values[index] = Float(Double(bitPattern: UInt64(littleEndian: (base + index * 8).loadUnaligned(as: UInt64.self))))
                default: values[index] = Float(base.load(fromByteOffset: index, as: UInt8.self))
                }
            }
        }
        return NPYFile(shape: shape, values: values)
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

    /// The file's bytes: version 1.0, float32, the header padded to 64 bytes.
    public func encoded() -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(Self.magic + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    public func write(to path: String) throws(RuntimeError) {
        try AtomicFile.write(encoded(), to: path)
    }
}
