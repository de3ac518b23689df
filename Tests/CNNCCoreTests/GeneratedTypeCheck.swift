import Foundation
import Testing

/// `swiftc -typecheck` of generated files as one module against the runtime
/// the tests built: what a test needs to know that a form of a model compiles,
/// in seconds rather than a release build's minutes.
enum GeneratedTypeCheck {
    /// The compiler's errors (empty when the files type-check), for `#expect`.
    static func errors(of sources: [(name: String, text: String)], module: String) throws -> (status: Int32, message: String) {
        let products = try #require(RepositoryFiles.products(holding: "Modules/CNNCRuntime.swiftmodule"), "the runtime's module was not built")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-typecheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for source in sources {
            let file = folder.appendingPathComponent(source.name)
            try source.text.write(to: file, atomically: true, encoding: .utf8)
            paths.append(file.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-parse-as-library", "-module-name", module] + paths + [
            "-I", products.appendingPathComponent("Modules").path,
            "-Xcc", "-fmodule-map-file=" + products.appendingPathComponent("CNNCSIMD.build/module.modulemap").path,
        ]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, String(message.prefix(2000)))
    }
}
