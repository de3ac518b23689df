import CNNCCore
import Foundation
import Testing

/// `trainable: false` on a layer: Keras counts its weights as non-trainable
/// and `fit` leaves them alone. cnnc's summary counts them the same way
/// (Keras 3.15 printed "Trainable params: 290 / Non-trainable params: 40" for
/// this model), the export keeps the flag, and `cnnc train` refuses the model
/// rather than update weights Keras would keep fixed.
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

    @Test func trainingRefusesAFrozenLayer() throws {
        let model = try Frontend.load(text: Self.spec, file: "frozen.yaml").get()
        let swift = ModelGenerator(model: model, specPath: "frozen.yaml").generate()
        #expect(swift.contains("public static let trainingUnsupportedReason: String? = \"layer 'conv' has trainable: false"))
    }
}
