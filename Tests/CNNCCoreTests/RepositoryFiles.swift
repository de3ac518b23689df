import CNNCCore
import Foundation
import Testing

/// Paths to the repository's specs and fixtures, found from this file's place.
enum RepositoryFiles {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The build's products folder (beside the test bundle, which `swift test`
    /// builds there) in which `relative` exists: the cnnc executable, the runtime's module.
    static func products(holding relative: String) -> URL? {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            root.appendingPathComponent(".build/debug"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(relative).path) }
    }

    /// The files in a repository folder with one of the given extensions, sorted.
    static func files(in folder: String, extensions: Set<String>) -> [String] {
        let directory = path(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { extensions.contains(($0 as NSString).pathExtension) }.sorted().map { "\(folder)/\($0)" }
    }

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// The checked model of a repository spec; a test failure if it does not check.
    static func model(_ relative: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> CheckedModel {
        switch Frontend.load(path: path(relative)) {
        case .success(let model):
            return model
        case .failure(let error):
            Issue.record("\(relative) did not check:\n\(error)", sourceLocation: sourceLocation)
            throw error
        }
    }
}
