@testable import CNNCCore
import Foundation
import Testing

/// `trainable: false` on a layer: Keras counts its weights as non-trainable
/// and `fit` leaves them alone. cnnc's summary counts them the same way
/// (Keras 3.15 printed "Trainable params: 290 / Non-trainable params: 40" for
/// this model), the export keeps the flag, and the generated model tells the
/// trainer which parameters to keep (the training step itself is checked
/// against Keras's on the graph fixture `frozen_layers`).
@Suite struct FrozenLayerTests {
    static let spec = """
        name: frozen
        input_shape: [8, 8, 1]
        layers:
          - Conv2D: {filters: 4, kernel_size: 3, trainable: false, name: conv}
          - Flatten
          - Dense: {units: 2, name: out}
        """

    @Test func frozenWeightsAreNonTrainableAsKerasCountsThem() throws {
        let model = try Frontend.load(text: Self.spec, file: "frozen.yaml").get()
        #expect(model.layers[0].frozen && !model.layers[2].frozen)
        #expect(model.trainableParameters == 290 && model.nonTrainableParameters == 40)
        let table = try KerasSummary(lineLength: 76).render(model)
        #expect(table.contains(" Trainable params: 290 (1.13 KB)") && table.contains(" Non-trainable params: 40 (160.00 B)"))
    }

    @Test func theExportKeepsTheFlagAndReadsBackFrozen() throws {
        let model = try Frontend.load(text: Self.spec, file: "frozen.yaml").get()
        let json = KerasModelJSON.text(for: model)
        let back = try Frontend.load(text: json, file: "frozen.json").get()
        #expect(back.layers.map(\.frozen) == [true, false, false])
        #expect(back.nonTrainableParameters == 40)
    }

    @Test func theGeneratedModelNamesTheFrozenParameters() throws {
        let model = try Frontend.load(text: Self.spec, file: "frozen.yaml").get()
        let swift = ModelGenerator(model: model, specPath: "frozen.yaml", target: .avx512on256).generate()
        #expect(swift.contains("public static let trainingUnsupportedReason: String? = nil"))
        // conv's kernel (36) and bias (4) lead the parameter buffer.
        #expect(swift.contains("public static let frozenParameterRanges: [Range<Int>] = [0..<40]"))
    }

    /// A frozen BatchNormalization runs in inference mode in training: it is
    /// no phase boundary, and its moving statistics are not updated.
    @Test func aFrozenBatchNormalizationNormalizesWithItsMovingStatistics() throws {
        let spec = """
            input_shape: [4, 4, 2]
            layers:
              - BatchNormalization: {trainable: false, name: kept}
              - BatchNormalization: {name: trained}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """
        let model = try Frontend.load(text: spec, file: "bn.yaml").get()
        let swift = ModelGenerator(model: model, specPath: "bn.yaml", target: .avx512on256).generate()
        // One normalization in training mode: 2·1 + 1 phases.
        #expect(swift.contains("public static let trainingPhaseCount = 3"))
        #expect(swift.contains("public static let frozenParameterRanges: [Range<Int>] = [0..<8]"))
        #expect(swift.contains("static func l0_kept_backward(_ k: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)"))
    }

    /// Below the lowest trained layer the backward pass serves only the
    /// caller's dL/d(input): a frozen base costs no backward pass in fit.
    @Test func backwardThroughAFrozenBaseRunsOnlyForTheInputGradient() throws {
        let model = try Frontend.load(text: Self.spec, file: "frozen.yaml").get()
        let program = ModelPlanner.plan(model, specPath: "frozen.yaml", target: .avx512on256)
        let steps = try #require(program.training.phases.first?.steps)
        guard case .forInputGradient(let skipped)? = steps.first(where: { if case .forInputGradient = $0 { true } else { false } }) else {
            Issue.record("no steps for the input gradient alone: \(steps)")
            return
        }
        #expect(skipped == [.backward(layer: 1), .backward(layer: 0)])
        #expect(steps.contains(.backward(layer: 2)))
    }
}
