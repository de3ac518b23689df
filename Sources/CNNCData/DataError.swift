import CNNCRuntime
import CNNCTraining

/// Why a data set could not be loaded, in a sentence a user can act on
/// (`cnnc train` and `cnnc evaluate` print `message` as it is).
///
/// Every message names the file or argument at fault. The constructors below
/// keep the wording of each kind of failure in one place.
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    /// The runtime's error (a .npy header, a `LabeledImages` check) as a data error.
    public init(_ error: RuntimeError) { self.message = error.message }

    public var description: String { message }
}

extension DataError {
    static func unknownSource(_ argument: String, reason: String) -> DataError {
        DataError("'\(argument)' is not a data set: \(reason); write one of \(DatasetSource.forms.joined(separator: ", "))")
    }

    static func missingDirectory(_ path: String) -> DataError {
        DataError("\(path): no such directory")
    }

    static func missingFiles(in directory: String, missing: [String], found: [String]) -> DataError {
        let foundText = found.isEmpty ? "it is empty" : "it has " + found.joined(separator: ", ")
        return DataError("\(directory): missing \(missing.joined(separator: " and ")) (plain or .gz); \(foundText)")
    }

    static func unreadable(_ path: String) -> DataError {
        DataError("\(path): cannot read the file")
    }

    static func wrongMagic(_ path: String, expected: UInt32, found: UInt32, kind: String) -> DataError {
        DataError("\(path): not an IDX \(kind) file: it starts with \(hex(found)), an IDX \(kind) file with \(hex(expected))")
    }

    static func truncated(_ path: String, expected: Int, actual: Int, what: String) -> DataError {
        DataError("\(path): the file is truncated: \(what) needs \(expected) bytes, the file has \(actual)")
    }

    static func countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int) -> DataError {
        DataError("\(images) has \(imageCount) images but \(labels) has \(labelCount) labels; they must pair up one to one")
    }

    static func badGzip(_ path: String, _ reason: String) -> DataError {
        DataError("\(path): bad gzip stream: \(reason); the file may be damaged or incompletely downloaded")
    }

    static func missingArray(_ path: String, _ name: String, has arrays: [String]) -> DataError {
        let list = arrays.isEmpty ? "no arrays" : "only " + arrays.joined(separator: ", ")
        return DataError("\(path): there is no array '\(name)'; the archive has \(list) (save x_train, y_train and optionally x_test, y_test, or x and y)")
    }

    static func unsupportedDType(_ path: String, array: String, dtype: String, expected: String) -> DataError {
        DataError("\(path): array '\(array)' has dtype \(dtype); \(expected)")
    }

    static func labelOutOfRange(_ path: String, label: Int64, index: Int, allowed: String) -> DataError {
        DataError("\(path): label \(label) of item \(index) is out of range: \(allowed)")
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
