import CNNCCore
import Foundation
import Testing

/// The form `cnnc predict`, `verify` and `bench` build: the model without its
/// training extension, which must still compile on its own against the runtime.
@Suite struct InferenceOnlyModelTests {
    /// Layers whose training differs from inference (BatchNormalization with
    /// batch statistics, Dropout) and a 3x3 layer Winograd runs, whose
    /// training-only packing (`init(trainingParameters:)`) stays in the type.
    static let spec = """
        input_shape: [16, 16, 8]
        layers:
          - Conv2D: {filters: 16, kernel_size: 3, padding: same}
          - BatchNormalization: {}
          - ReLU: {}
          - Dropout: {rate: 0.25}
          - GlobalAveragePooling2D: {}
          - Dense: {units: 10, activation: softmax}
        """

    @Test func leavesOutTheTrainingExtensionAndStillTypeChecks() throws {
        let model = try Frontend.load(text: Self.spec, file: "forward.yaml").get()
        let whole = ModelGenerator(model: model, specPath: "forward.yaml", target: .avx2).generate()
        let forward = ModelGenerator(model: model, specPath: "forward.yaml", target: .avx2, includesTraining: false).generate()
        #expect(whole.contains(": TrainableModel"))
        #expect(!forward.contains(": TrainableModel") && !forward.contains("_backward("))
        #expect(forward.contains("// Inference only:"))
        let lines = { (source: String) in source.split(separator: "\n", omittingEmptySubsequences: false).count }
        #expect(lines(forward) * 3 < lines(whole) * 2, "\(lines(forward)) lines inference only, \(lines(whole)) whole")

        let result = try GeneratedTypeCheck.errors(of: [("forward.swift", forward)], module: "Forward")
        #expect(result.status == 0, "swiftc -typecheck of the inference-only model: \(result.message)")
    }
}
