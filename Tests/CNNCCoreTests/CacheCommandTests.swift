import Foundation
import Testing

/// `cnnc cache` lists what compiling left behind, with sizes, and `--clean` removes it.
@Suite struct CacheCommandTests {
    @Test func listsAndCleans() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let model = cache.appendingPathComponent("models/Lenet5-0123456789abcdef")
        let workbench = cache.appendingPathComponent("workbench")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: workbench, withIntermediateDirectories: true)
        try Data(count: 2_500).write(to: model.appendingPathComponent("Model"))
        try Data(count: 40_000).write(to: workbench.appendingPathComponent("Package.swift"))
        // The tests' shared workbench must not be the one cleaned.
        let environment = ["CNNC_CACHE_DIR": cache.path, "CNNC_WORKBENCH_DIR": workbench.path]

        let list = try CommandLineTests.cnnc(["cache"], environment: environment)
        #expect(list.status == 0, "\(list.errors)")
        #expect(list.output.contains("Lenet5-0123456789abcdef") && list.output.contains("2.5 kB"), "\(list.output)")
        #expect(list.output.contains("1 compiled model, 42.5 kB in all"), "\(list.output)")

        let clean = try CommandLineTests.cnnc(["cache", "--clean"], environment: environment)
        #expect(clean.status == 0, "\(clean.errors)")
        #expect(clean.output.contains("removed 1 compiled model and the workbench"), "\(clean.output)")
        #expect(!FileManager.default.fileExists(atPath: model.path) && !FileManager.default.fileExists(atPath: workbench.path))
    }
}
