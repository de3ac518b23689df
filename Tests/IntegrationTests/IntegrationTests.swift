import CNNCRuntime
import Foundation
import Testing

/// cnnc used the way a Swift developer uses it: the README's walkthrough
/// followed literally in an empty folder, and the example app built and run.
/// Each builds a package of its own (with cnnc as a path dependency), so these
/// take about a minute each on a fresh machine.
@Suite(.serialized) struct IntegrationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(script: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent(script).path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func readmeWalkthroughWorksAsWritten() throws {
        let result = try Self.run(script: "Tests/Integration/readme-walkthrough.sh")
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("walkthrough: passed"))
    }

    @Test func exampleClassifierBuildsAndClassifies() throws {
        let result = try Self.run(script: "Tests/Integration/example-classifier.sh")
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
