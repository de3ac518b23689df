import Foundation

/// A private temporary folder for files cnnc hands a model executable (a data
/// set, weights converted from a Keras file), named `cnnc-data-PID-RANDOM`
/// after the cnnc that made it. The command removes it when it ends; a cnnc
/// killed outright (`kill -9`) cannot, so making one first removes every such
/// folder whose cnnc no longer exists, and so does `cnnc train` as it starts.
enum StagingFolder {
    private static let prefix = "cnnc-data-"

    static func make() throws -> URL {
        removeLeftovers()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Removes every staging folder whose cnnc no longer exists.
    static func removeLeftovers() {
        let temporary = FileManager.default.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            // Exactly `PID-RANDOM`, both decimal: other folders that start alike are not ours.
            let parts = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, UInt32(parts[1]) != nil, let pid = Int32(parts[0]), pid > 0 else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
    }
}
