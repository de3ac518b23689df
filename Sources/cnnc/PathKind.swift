import Foundation

extension FileManager {
    /// Whether `path` is a folder (true) or a file (false); nil when nothing is there.
    func isFolder(_ path: String) -> Bool? {
        var folder: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &folder) ? folder.boolValue : nil
    }
}
