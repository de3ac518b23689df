import Foundation
import Testing

/// Where the round trip finds Keras: $SCALE_OUT_PYTHON, else the Keras
/// environment Tools/keras-fixtures/run.sh makes. Without one the test is
/// skipped and says so (CI has Swift alone).
enum ScaleOutPython {
    static let path: String? = {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["SCALE_OUT_PYTHON"],
            RepositoryFiles.root.appendingPathComponent(".venv-keras/bin/python").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// A user who outgrows one machine: cnnc exports a `.keras` file, Keras trains
/// it data-parallel over two devices with JAX's distribution API, and cnnc
/// takes the saved file back, every layer checked against Keras
/// (`Tools/scale-out/round-trip.sh`).
@Suite struct ScaleOutRoundTripTests {
    @Test(.enabled(if: ScaleOutPython.path != nil, "no Python with Keras: Tools/keras-fixtures/run.sh makes .venv-keras, or set SCALE_OUT_PYTHON"))
    func exportTrainDataParallelInKerasVerifyInCNNC() throws {
        let cnnc = try #require(CommandLineTests.executable, "the cnnc executable was not built")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-scale-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [RepositoryFiles.root.appendingPathComponent("Tools/scale-out/round-trip.sh").path, "Specs/lenet5.cnn.yaml", folder.path]
        process.environment = CommandLineTests.environment(["CNNC": cnnc.path, "PYTHON": try #require(ScaleOutPython.path)])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("data-parallel over 2 devices"), "\(text)")
        #expect(text.contains("verify: all 8 layers agree with the reference"), "\(text)")
    }
}
