/// The one error the writer throws: a sentence that names the object (by its path in
/// the file) and says what is wrong with it.
public struct HDF5WriteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// How an object is named in messages: "/" for the root, otherwise its path without a
/// leading slash ("layers/conv2d/vars/0"), as h5py and Keras users write it.
func describePath(_ path: [String]) -> String {
    path.isEmpty ? "'/'" : "'" + path.joined(separator: "/") + "'"
}
