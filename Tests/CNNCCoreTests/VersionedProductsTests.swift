import Foundation
import Testing

/// A package that depends on cnnc by version (`from: "0.2.0"`) cannot build
/// any target with `unsafeFlags`: SwiftPM refuses it ("contains unsafe build
/// flags"). So no product may reach such a target through its dependencies;
/// the zoo and the test models, which need `-O -target-cpu native`, stay
/// targets of this package only. Read from `swift package dump-package`.
@Suite struct VersionedProductsTests {
    @Test func noProductReachesATargetWithUnsafeFlags() throws {
        // A scratch folder of its own: the running `swift test` holds .build's lock, and
        // dump-package waiting for it would wait for this test forever.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", RepositoryFiles.root.path, "--scratch-path", scratch.path, "dump-package"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try #require(manifest["targets"] as? [[String: Any]])
        let products = try #require(manifest["products"] as? [[String: Any]])
        var dependencies: [String: [String]] = [:], unsafe: Set<String> = []
        for target in targets {
            let name = try #require(target["name"] as? String)
            let settings = target["settings"] as? [[String: Any]] ?? []
            if settings.contains(where: { ($0["kind"] as? [String: Any])?["unsafeFlags"] != nil }) { unsafe.insert(name) }
            // Only dependencies on this package's own targets: byName or target, not products of other packages.
            dependencies[name] = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                ((dependency["byName"] ?? dependency["target"]) as? [Any])?.first as? String
            }
        }
        for product in products {
            let name = try #require(product["name"] as? String)
            var reached: Set<String> = [], pending = product["targets"] as? [String] ?? []
            while let target = pending.popLast() {
                guard reached.insert(target).inserted else { continue }
                pending += dependencies[target] ?? []
            }
            #expect(reached.isDisjoint(with: unsafe), "the product \(name) reaches \(reached.intersection(unsafe).sorted()), built with unsafeFlags")
        }
        #expect(unsafe.contains("CNNCZoo"), "the check must see the zoo's flags")
    }
}
