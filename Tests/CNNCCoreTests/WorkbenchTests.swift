@testable import CNNCBuild
import Foundation
import Testing

/// The folder where every model compiles: it holds exactly the current
/// model's files, leaves unchanged ones alone (SwiftPM then skips them), and
/// one process at a time builds in it.
@Suite struct WorkbenchTests {
    @Test func holdsExactlyTheFilesOfTheLastModel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-workbench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let workbench = Workbench(folder: folder)
        let runtime = ("Sources/CNNCRuntime/Math.swift", "let two = 2\n")
        try workbench.write([("Package.swift", "// a\n"), runtime, ("Sources/Model/first.cnnc.swift", "// first\n")])
        let runtimePath = "\(folder)/\(runtime.0)"
        let written = try FileManager.default.attributesOfItem(atPath: runtimePath)[.modificationDate] as? Date
        // A file another cnnc version left in a target would be compiled into the model.
        try "// stale\n".write(toFile: "\(folder)/Sources/CNNCRuntime/Removed.swift", atomically: true, encoding: .utf8)

        try workbench.write([("Package.swift", "// a\n"), runtime, ("Sources/Model/second.cnnc.swift", "// second\n")])
        let sources = FileManager.default.subpaths(atPath: "\(folder)/Sources")?.filter { $0.hasSuffix(".swift") }.sorted()
        #expect(sources == ["CNNCRuntime/Math.swift", "Model/second.cnnc.swift"])
        #expect(try FileManager.default.attributesOfItem(atPath: runtimePath)[.modificationDate] as? Date == written)
    }

    /// `swift build` runs with a temporary folder of its own (SwiftPM leaves
    /// empty `TemporaryDirectory.*` folders in its TMPDIR at every build),
    /// an absolute path even for a package named by a relative one, removed
    /// after the build, also after one that fails. The package's manifest
    /// fails with the TMPDIR it was given, which the error repeats.
    @Test func swiftBuildKeepsItsTemporaryFilesToItselfAndRemovesThem() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-tmpdir-\(UUID().uuidString)").standardizedFileURL.path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let manifest = """
            // swift-tools-version: 6.1
            import Foundation
            fatalError("TMPDIR=" + (ProcessInfo.processInfo.environment["TMPDIR"] ?? "unset"))
            """
        try manifest.write(toFile: "\(folder)/Package.swift", atomically: true, encoding: .utf8)
        // The same folder named from the working directory.
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + folder.dropFirst()
        var message = ""
        do {
            _ = try await ModelBuilder.swiftBuild(relative)
        } catch {
            message = error.message
        }
        #expect(message.contains("TMPDIR=\(folder)/.build/\(ModelBuilder.temporaryPrefix)"), "\(message)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/.build")) ?? []
        #expect(!left.contains { $0.hasPrefix(ModelBuilder.temporaryPrefix) }, "\(left)")
    }

    @Test func oneProcessAtATimeHoldsIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-workbench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder + ".lock") }
        let workbench = Workbench(folder: folder)
        try await workbench.locked(log: { _ in }) { () throws(BuildError) in
            // flock locks belong to an open file: a second open of the lock, as another process makes, is refused.
            let other = open(folder + ".lock", O_RDWR)
            defer { close(other) }
            #expect(other >= 0)
            #expect(flock(other, LOCK_EX | LOCK_NB) != 0)
        }
        let after = open(folder + ".lock", O_RDWR)
        defer { close(after) }
        #expect(flock(after, LOCK_EX | LOCK_NB) == 0)
    }
}
