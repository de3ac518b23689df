import Foundation

extension FileManager {
    /// Whether `path` is a folder (true) or a file (false); nil when nothing is there.
    func isFolder(_ path: String) -> Bool? {
        var folder: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &folder) ? folder.boolValue : nil
    }
}

extension FileManager {
    /// The first executable named `name` in the folders of `PATH`, as a shell finds it; nil when there is none.
    func executableOnPath(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.lazy.map { ($0 as NSString).appendingPathComponent(name) }.first { self.isExecutableFile(atPath: $0) }
    }
}
