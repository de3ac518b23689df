import Foundation

/// The CNNCRuntime sources a model package compiles with its generated code.
/// They are copied next to the model, so the package builds offline with
/// nothing but Swift. cnnc finds them in the checkout it was built from, or
/// where `CNNC_RUNTIME_PATH` points.
public struct RuntimeSources: Sendable {
    public var folder: String
    public var files: [(name: String, text: String)]

    public static func locate() throws(BuildError) -> RuntimeSources {
        let environment = ProcessInfo.processInfo.environment["CNNC_RUNTIME_PATH"]
        // This file is Sources/CNNCBuild/RuntimeSources.swift in the checkout.
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CNNCRuntime").path
        let folder = environment ?? checkout
        // Subfolders too (Verification/, Data/): the runtime is organised by job.
        guard FileManager.default.fileExists(atPath: folder), let names = FileManager.default.subpaths(atPath: folder) else {
            throw BuildError("cannot find the CNNCRuntime sources at \(folder); set CNNC_RUNTIME_PATH to the Sources/CNNCRuntime folder of a cnnc checkout")
        }
        var files: [(name: String, text: String)] = []
        for name in names.sorted() where name.hasSuffix(".swift") {
            guard let text = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) else {
                throw BuildError("cannot read \(folder)/\(name)")
            }
            files.append((name, text))
        }
        guard !files.isEmpty else { throw BuildError("\(folder) holds no Swift sources of CNNCRuntime") }
        return RuntimeSources(folder: folder, files: files)
    }
}

/// Why a model could not be built or run, in words a user can act on.
public struct BuildError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
