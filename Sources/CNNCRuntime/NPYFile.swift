import Foundation

/// numpy's `.npy` format (version 1.0 to 3.0): a magic string, a Python-dict
/// header with `descr`, `fortran_order` and `shape`, then C-ordered data.
/// Reads float32, float64 and uint8 (as float32); writes float32.
/// `NPYHeader` reads and writes the header for every dtype.
public struct NPYFile: Sendable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    public static func read(path: String) throws(RuntimeError) -> NPYFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            var folder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &folder)
            throw RuntimeError(!exists ? "\(path): no such file" : folder.boolValue ? "\(path): a directory, not a .npy file" : "\(path): cannot read the file")
        }
        return try parse([UInt8](data), path: path)
    }

    static let readable = "float32 ('<f4'), float64 and uint8"

    /// A model's input or reference output: float32, float64 or uint8 (unscaled).
    public static func parse(_ bytes: [UInt8], path: String) throws(RuntimeError) -> NPYFile {
        let header = try NPYHeader.parse(bytes, path: path, reads: Self.readable)
        guard header.dtype == .float32 || header.dtype == .float64 || header.dtype == .uint8 else {
            throw RuntimeError("\(path): the array's dtype is \(header.descr); cnnc reads \(Self.readable) here")
        }
        return NPYFile(shape: header.shape, values: header.floats(in: bytes))
    }

    /// The file's bytes: version 1.0, float32, the header padded to 64 bytes.
    public func encoded() -> Data {
        var data = Data(NPYHeader.encoded(descr: "<f4", shape: shape))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    public func write(to path: String) throws(RuntimeError) {
        try AtomicFile.write(encoded(), to: path)
    }
}
