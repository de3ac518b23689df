import Foundation

/// An HDF5 file as Keras and h5py write weights: groups, attributes and datasets.
///
/// The whole object tree is read and checked when the file is opened; dataset values are
/// decoded on request. The reader accepts the subset of HDF5 that h5py writes by default
/// and refuses everything else by name (chunked or compressed datasets, big-endian data,
/// dense link or attribute storage, ...), with a message saying what was found and what
/// a readable file would be.
public struct HDF5File: Sendable {
    /// The path given when opening, used in every message.
    public let path: String
    public let root: HDF5Group
    /// 0 or 1 for h5py's default format, 2 or 3 for libver='latest'.
    public let superblockVersion: Int
    /// The tallest group B-tree met while reading (0: every group fit in one leaf node).
    let deepestGroupBTreeLevel: Int

    /// Reads a file already in memory, such as `model.weights.h5` taken out of a `.keras`
    /// archive. `path` is used only in messages.
    public init(bytes: [UInt8], path: String) throws(HDF5Error) {
        let superblock = try Superblock.read(bytes: bytes, path: path)
        let image = FileImage(bytes: bytes, path: path, baseAddress: superblock.baseAddress)
        let loader = ObjectLoader(image: image)
        self.path = path
        self.root = try loader.loadRoot(headerAddress: superblock.rootObjectHeaderAddress)
        self.superblockVersion = superblock.version
        self.deepestGroupBTreeLevel = loader.budget.deepestBTreeLevel
    }

    /// Reads the file at `path` into memory (once; datasets share those bytes) and opens it.
    public static func read(path: String) throws(HDF5Error) -> HDF5File {
        try HDF5File(bytes: try readBytes(path: path), path: path)
    }

    /// The group at `path` ("layers/conv2d/vars"; a leading "/" is allowed; "/" is the root).
    public func group(at path: String) throws(HDF5Error) -> HDF5Group {
        try root.group(path)
    }

    /// The dataset at `path` ("layers/conv2d/vars/0").
    public func dataset(at path: String) throws(HDF5Error) -> HDF5Dataset {
        try root.dataset(path)
    }

    /// Reads the file straight into an array, without an intermediate `Data`.
    private static func readBytes(path: String) throws(HDF5Error) -> [UInt8] {
        func failure(_ reason: String) -> HDF5Error {
            HDF5Error(message: "\(path): cannot read the file: \(reason)")
        }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw failure(
                FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file")
        }
        if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
            throw failure("it is a directory")
        }
        guard let size = (attributes[.size] as? NSNumber)?.intValue, size >= 0 else {
            throw failure("its size is unknown")
        }
        guard let stream = InputStream(fileAtPath: path) else {
            throw failure("it cannot be opened")
        }
        stream.open()
        defer { stream.close() }
        var readError: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initializedCount in
            initializedCount = 0
            guard let base = buffer.baseAddress else { return }
            while initializedCount < size {
                let count = stream.read(base + initializedCount, maxLength: size - initializedCount)
                if count < 0 {
                    readError = stream.streamError?.localizedDescription ?? "read error"
                    return
                }
                if count == 0 { return }  // the file shrank while being read
                initializedCount += count
            }
        }
        if let readError {
            throw failure(readError)
        }
        return bytes
    }
}
