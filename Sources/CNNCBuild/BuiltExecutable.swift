import Foundation

/// What a finished build records about its executable (in the cache folder's
/// `.built` marker): its size and a hash of its bytes. A cached executable
/// that no longer matches (truncated, emptied, overwritten) is built again
/// instead of failing every later run without a message.
struct BuiltExecutable: Equatable {
    var size: Int
    var hash: String

    /// The record of the file at `path`; nil when it cannot be read.
    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        size = data.count
        hash = data.withUnsafeBytes { StableHash.hex(bytes: $0) }
    }

    /// The marker's text, `SIZE HASH`.
    init?(marker text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let size = Int(parts[0]) else { return nil }
        self.size = size
        hash = String(parts[1].prefix { !$0.isWhitespace })
    }

    var marker: String { "\(size) \(hash)\n" }

    /// Why the executable at `path` is not the one `markerPath` recorded; nil when it is.
    static func damage(executable path: String, markerPath: String) -> String? {
        guard let text = try? String(contentsOfFile: markerPath, encoding: .utf8) else { return "the build was never finished" }
        guard let recorded = BuiltExecutable(marker: text) else { return "its record (.built) is unreadable" }
        guard FileManager.default.isExecutableFile(atPath: path), let found = BuiltExecutable(path: path) else {
            return "the executable is missing"
        }
        if found.size != recorded.size { return "the executable has \(found.size) bytes, not the \(recorded.size) it was built with" }
        if found.hash != recorded.hash { return "the executable's bytes changed since it was built" }
        return nil
    }
}
