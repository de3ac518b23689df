/// The one error this module throws.
///
/// Every message starts with the path of the file, names the object inside the file
/// (group, dataset or attribute path, or "superblock"), says what was found and, where
/// the reader cannot go on, what a file it can read would look like.
public struct HDF5Error: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The place a problem is found: the file, and the object inside it.
///
/// Parsers receive a scope instead of building messages themselves, so that no message
/// can leave out the file path or the object path.
struct Scope: Sendable {
    let filePath: String
    /// For example "group 'layers/conv2d'", "dataset 'vars/0'" or "superblock".
    let object: String

    /// A problem with the file's structure: "<file>: <object>: <text>".
    func error(_ text: String) -> HDF5Error {
        HDF5Error(message: "\(filePath): \(object): \(text)")
    }

    /// A feature the reader refuses: "<file>: <object> <predicate>", so that the message
    /// reads as a sentence ("dataset 'x' uses chunked storage ...").
    func refusal(_ predicate: String) -> HDF5Error {
        HDF5Error(message: "\(filePath): \(object) \(predicate)")
    }

    func named(_ object: String) -> Scope {
        Scope(filePath: filePath, object: object)
    }
}

/// Appended to structural errors: the reader found bytes that no HDF5 writer produces.
let damagedFileAdvice = "the file is truncated or damaged; save or download it again"

/// File addresses in messages are written the way h5dump and the HDF5 specification write them.
func hex<T: BinaryInteger>(_ value: T) -> String {
    "0x" + String(value, radix: 16)
}

/// How an object is named in messages: the root is '/', everything else is written
/// without a leading slash ("layers/conv2d/vars/0"), as Keras and h5py users see it.
func describeGroup(_ path: String) -> String { "group '\(path)'" }
func describeDataset(_ path: String) -> String { "dataset '\(path)'" }
func describeObject(_ path: String) -> String { "object '\(path)'" }

/// Joins a child name to its parent's path; the root's path is "/".
func childPath(parent: String, name: String) -> String {
    parent == "/" ? name : parent + "/" + name
}
