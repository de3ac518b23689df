import Foundation

/// Writes a file so that it is either the old file or the complete new one:
/// the bytes go to a temporary file beside it, which is then renamed over
/// the target. An interrupted run never leaves half a file behind.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws(RuntimeError) {
        try write(to: path) { try $0.write(contentsOf: data) }
    }

    /// The same for a file written in pieces (a model's weights, which are
    /// not copied into one `Data` first): `body` writes them to the
    /// temporary file's handle.
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws(RuntimeError) {
        let target = URL(fileURLWithPath: path)
        let directory = target.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        // A folder the path names but that is not there yet is made, as
        // `mkdir -p` would (Keras's callbacks make their log folders too).
        try makeFolder(directory, for: path)
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: temporary.path) else {
                throw RuntimeError("cannot write \(path): cannot create a file in \(directory.path)")
            }
            defer { try? handle.close() }
            try body(handle)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? RuntimeError { throw error }
            throw RuntimeError("cannot write \(path): \(error.localizedDescription)")
        }
        if rename(temporary.path, target.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw RuntimeError("cannot move the new file into place at \(path): \(reason)")
        }
    }

    /// Makes `folder` (and the folders above it) unless it is there.
    public static func makeFolder(_ folder: URL, for path: String) throws(RuntimeError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw RuntimeError("cannot write \(path): \(folder.path) is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw RuntimeError("cannot write \(path): cannot make the folder \(folder.path) (\(error.localizedDescription))")
        }
    }

    /// Removes the temporary files a killed writer of `path` left beside it
    /// (`.NAME.UUID.tmp`); the file itself is never touched.
    public static func removeLeftovers(of path: String) {
        let target = URL(fileURLWithPath: path)
        let directory = target.deletingLastPathComponent()
        let prefix = ".\(target.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") && name.count == prefix.count + 36 + 4 {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
