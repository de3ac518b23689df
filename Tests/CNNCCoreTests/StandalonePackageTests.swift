import CNNCRuntime
import Foundation
import Testing

/// `cnnc build` writes a package of the user's own, which compiles the runtime
/// and the model from scratch in release: most of a minute of two cores, so it
/// runs with the integration tests (`CNNC_INTEGRATION_TESTS=1`; CI runs them)
/// rather than in every `swift test`.
@Suite(.enabled(if: StandalonePackageSwitch.isOn, "set CNNC_INTEGRATION_TESTS=1 to build a standalone model package (CI does)"))
struct StandalonePackageTests {
    /// `cnnc build` leaves a package a user can keep: it builds, and its Model
    /// executable computes the lecture's edge example.
    @Test func buildWritesAPackageWhoseModelRuns() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let package = folder.appendingPathComponent("edge-model").path
        let run = try CommandLineTests.cnnc(["build", "Specs/seed_edge_6x6.cnn.yaml", "--output", package])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("wrote the package for SeedEdge6x6 in \(package)"))
        let weights = folder.appendingPathComponent("edge.safetensors").path
        let input = folder.appendingPathComponent("image.npy").path
        let output = folder.appendingPathComponent("edges.npy").path
        let layout = [TensorLayout(name: "vertical_edge.kernel", shape: [3, 3, 1, 1], offset: 0)]
        try SafeTensors.write(parameters: [1, 0, -1, 1, 0, -1, 1, 0, -1], layout: layout, metadata: [:], to: weights)
        try NPYFile(shape: [6, 6], values: (0..<36).map { Float($0 % 6) }).write(to: input)
        let model = Process()
        model.executableURL = URL(fileURLWithPath: package + "/.build/release/Model")
        model.arguments = [weights, input, output, "1"]
        try model.run()
        model.waitUntilExit()
        #expect(model.terminationStatus == 0)
        // Each row is 0 1 2 3 4 5: left minus right column is -2 per row, -6 over three rows.
        #expect(try NPYFile.read(path: output).values == [Float](repeating: -6, count: 16))

    }
}

/// Whether the standalone package is built (a separate type: a suite's trait
/// cannot read the suite's own members). The same switch as the IntegrationTests target's.
enum StandalonePackageSwitch {
    static let isOn = ProcessInfo.processInfo.environment["CNNC_INTEGRATION_TESTS"] == "1"
}
