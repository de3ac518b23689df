@testable import CNNCData
import Foundation
import Testing

/// Paths and helpers the data tests share.
enum TestSupport {
    /// The repository: this file is Tests/CNNCDataTests/TestSupport.swift.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// MNIST and Fashion-MNIST as distributed, in ../shared/data beside the
    /// repository (see its README.md); for tests only, never the product.
    static let sharedData = repository.deletingLastPathComponent().appendingPathComponent("shared/data").path

    static func fixture(_ name: String) -> String {
        repository.appendingPathComponent("Tests/Fixtures/data/npz/\(name)").path
    }

    /// The message of the DataError `body` throws, or a note that it threw none.
    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "(no error)"
        } catch let error as DataError {
            return error.message
        } catch {
            return "(not a DataError: \(error))"
        }
    }

    /// A fresh empty directory, removed by the caller's `defer`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The bytes of `path` decompressed by the system's gzip, the reference for ours.
    static func gunzipWithSystemTool(_ path: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return data
    }
}
