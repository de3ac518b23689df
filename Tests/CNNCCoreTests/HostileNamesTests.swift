import CNNCCore
import CNNCRuntime
import Foundation
import Testing

/// Spec text is data: names that would be code, or would break a line of
/// generated Swift, if pasted unescaped (Tests/Fixtures/hostile/self.yaml)
/// compile into a model that computes what the spec says, under the names
/// the spec gives.
@Suite struct HostileNamesTests {
    static let spec = "Tests/Fixtures/hostile/self.yaml"

    /// Every line of the generated file is one line of the source (no name
    /// starts a new line), and the names reach literals exactly.
    @Test func namesStayInsideLiteralsAndComments() throws {
        let model = try RepositoryFiles.model(Self.spec)
        #expect(model.layers.map(\.name) == ["edge \\(exit(42)) \"\"\" \n #error x\\", "Свёртка $1 \u{200B}zero-width\r\n}() {", "trailing \\"])
        let swift = ModelGenerator(model: model, specPath: Self.spec, target: .avx512on256).generate()
        #expect(!swift.contains("\n #error") && !swift.contains("\n exit(42)") && !swift.contains("\n}() {"))
        // The table of layers is JSON in a multi-line literal: escaped once for JSON, once for Swift.
        #expect(swift.contains(#"{"name":"edge \\\\(exit(42)) \\"\\"\\" \\n #error x\\\\","className":"Conv2D""#))
        #expect(swift.contains("public struct SelfModel"))
        #expect(SwiftNames.typeName(forSpecPath: "float.yaml") == "FloatModel" && SwiftNames.typeName(forSpecPath: "any.cnn.yaml") == "AnyModel")
    }

    /// Compiled and run: the weights load by the hostile names (so the
    /// generated tensor names equal the spec's), and the output is the
    /// lecture's edge map through the ReLU; nothing injected runs.
    @Test func compilesAndComputesTheSpec() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (weights, input) = try GenerateAndPredictCommandTests.writeEdgeExample(in: folder, kernelName: "edge \\(exit(42)) \"\"\" \n #error x\\.kernel")
        let output = folder.appendingPathComponent("edges.npy").path
        let run = try CommandLineTests.cnnc(["predict", Self.spec, "--weights", weights, "--input", input, "--output", output],
                                            environment: ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path])
        #expect(run.status == 0, "\(run.errors)")
        #expect(!run.output.contains("INJECTED") && !run.errors.contains("INJECTED"))
        #expect(try NPYFile.read(path: output).values == [0, 0, 0, 8, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0])
    }
}
