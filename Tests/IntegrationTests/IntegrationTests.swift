import CNNCRuntime
import Foundation
import Testing

/// cnnc used the way a Swift developer uses it: the README's walkthrough
/// followed literally in an empty folder (cnnc a dependency by version), and
/// the example app built and run (cnnc a dependency by path). Each builds a
/// package of its own, with cnnc's dependencies and the plugin's generator
/// from source: minutes of two cores, which would push `swift test` past its
/// budget of 8 minutes. So they run where asked for, and CI asks
/// (`CNNC_INTEGRATION_TESTS=1 swift test --filter "IntegrationTests|StandalonePackageTests"`,
/// in `.ci/run`; the second is `cnnc build`'s package, in CNNCCoreTests).
@Suite(.serialized, .enabled(if: IntegrationTestsSwitch.isOn, "set CNNC_INTEGRATION_TESTS=1 to build the README walkthrough and the example app (CI does)"))
struct IntegrationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(script: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent(script).path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Both packages build cnnc and its dependencies from source; the example
    /// builds in the walkthrough's build folder, so the dependencies are
    /// fetched and compiled once (cnnc twice: a release there, the checkout here).
    @Test func readmeWalkthroughThenExampleClassifier() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-walkthrough-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let walkthrough = try Self.run(script: "Tests/Integration/readme-walkthrough.sh", environment: ["CNNC_WALKTHROUGH_DIR": folder.path])
        print(walkthrough.output)
        #expect(walkthrough.status == 0, "\(walkthrough.output)")
        #expect(walkthrough.output.contains("walkthrough: passed"))
        try exampleClassifierBuildsAndClassifies(scratch: folder.appendingPathComponent("Hello/.build").path)
    }

    func exampleClassifierBuildsAndClassifies(scratch: String) throws {
        let result = try Self.run(script: "Tests/Integration/example-classifier.sh", environment: ["CNNC_SCRATCH_PATH": scratch])
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("example: passed"))

        // The printed probabilities (4 decimals) are Keras's, for the weights
        // Keras trained (train_digits.py wrote both files).
        let keras = try NPYFile.read(path: Self.repository.appendingPathComponent("Examples/Classifier/samples-keras.npy").path)
        let printed = result.output.split(separator: "\n").filter { $0.hasPrefix("image ") }.map { line in
            line.split(separator: "[").last!.split(separator: " ").filter { !$0.hasSuffix(":") && !$0.isEmpty }
                .map { Float($0.trimmingCharacters(in: CharacterSet(charactersIn: "]"))) ?? .nan }
        }
        #expect(printed.count == 10 && printed.allSatisfy { $0.count == 10 }, "\(printed)")
        for (image, row) in printed.enumerated() {
            for (digit, probability) in row.enumerated() {
                #expect(abs(probability - keras.values[image * 10 + digit]) <= 6e-5, "image \(image) digit \(digit)")
            }
        }
    }
}

/// Whether the integration tests run (a separate type: a suite's trait cannot read the suite's own members).
enum IntegrationTestsSwitch {
    static let isOn = ProcessInfo.processInfo.environment["CNNC_INTEGRATION_TESTS"] == "1"
}
