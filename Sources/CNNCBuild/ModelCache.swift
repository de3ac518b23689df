import Foundation

/// What the cache holds (`cnnc cache`): every model built, one folder each
/// (`models/<Type>-<fingerprint>`, or `<Type>-inference-<fingerprint>` for a
/// model built to run forward only; the executable and its record), and the
/// workbench they were compiled in. Cleaning takes the workbench's lock, so it
/// never pulls a build out from under another cnnc.
public struct ModelCache: Sendable {
    public var root: String

    public init(root: String = ModelBuilder.defaultCacheRoot()) {
        self.root = root
    }

    public struct Entry: Sendable {
        public var name: String
        public var path: String
        public var bytes: Int
        public var modified: Date
    }

    /// Built models, most recently built first.
    public func models() -> [Entry] {
        let folder = "\(root)/models"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.map { entry(name: $0, path: "\(folder)/\($0)") }.sorted { $0.modified > $1.modified }
    }

    /// The workbench, when one has been made.
    public var workbench: Entry? {
        let path = Workbench.defaultFolder(cacheRoot: root)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return entry(name: "workbench", path: path)
    }

    /// Removes every built model and the workbench; waits, saying so, while another cnnc compiles.
    public func clean(log: @Sendable (String) -> Void) async throws(BuildError) {
        let workbench = Workbench(folder: Workbench.defaultFolder(cacheRoot: root))
        try await workbench.locked(log: log) { () throws(BuildError) in
            for path in ["\(root)/models", workbench.folder] where FileManager.default.fileExists(atPath: path) {
                do {
                    try FileManager.default.removeItem(atPath: path)
                } catch {
                    throw BuildError("cannot remove \(path): \(error.localizedDescription)")
                }
            }
        }
    }

    private func entry(name: String, path: String) -> Entry {
        var bytes = 0
        var newest = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        if let files = FileManager.default.enumerator(atPath: path) {
            for case let file as String in files {
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: "\(path)/\(file)") else { continue }
                if attributes[.type] as? FileAttributeType == .typeRegular { bytes += (attributes[.size] as? Int) ?? 0 }
                if let date = attributes[.modificationDate] as? Date, date > newest { newest = date }
            }
        }
        return Entry(name: name, path: path, bytes: bytes, modified: newest)
    }
}
