import Foundation

/// Writes a file only when its bytes change, so builds that watch it stay
/// incremental, and atomically, so no half file is ever seen. `cnnc generate`
/// (and through it both plugins) and `ModelPackage` write through it.
public enum ChangedFile {
    /// Returns false when the file already held exactly `text`.
    @discardableResult
    public static func write(_ text: String, to path: String) throws(BuildError) -> Bool {
        let data = Data(text.utf8)
        if FileManager.default.contents(atPath: path) == data { return false }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BuildError("cannot write \(path): \(error.localizedDescription)")
        }
        return true
    }
}
