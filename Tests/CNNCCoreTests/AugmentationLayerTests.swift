import CNNCCore
import Testing

/// Keras's image augmentation layers (RandomFlip, RandomRotation, ...) are
/// identity at inference, as Keras's `predict` runs them, and their arguments
/// are checked as Keras checks them; training with them is refused, at the
/// layer, until their random transforms are compiled. `Identity` is identity
/// everywhere. (Against Keras: GraphModelsTests runs the transfer-learning
/// model `augmented_transfer`, its summary is compared in KerasSummaryTests.)
@Suite struct AugmentationLayerTests {
    static let spec = """
        input_shape: [8, 8, 3]
        layers:
          - RandomFlip: {mode: horizontal}
          - RandomRotation: {factor: [-0.1, 0.2], fill_mode: nearest}
          - RandomZoom: {height_factor: 0.1, width_factor: null}
          - RandomTranslation: {height_factor: 0.1, width_factor: 0.1, seed: 3}
          - RandomContrast: {factor: 0.2}
          - RandomBrightness: {factor: 0.1, value_range: [0, 1]}
          - Identity
          - Flatten
          - Dense: {units: 2, activation: softmax}

        """

    @Test func theyAreIdentityAtInferenceAndRefuseTraining() throws {
        let model = try Frontend.load(text: Self.spec, file: "augment.yaml").get()
        #expect(model.layers.prefix(7).allSatisfy { $0.outputShape == $0.inputShape && $0.parameters == 0 })
        #expect(model.notes.count == 6, "one note for each augmentation layer, none for Identity: \(model.notes)")
        let gap = try #require(model.trainingGap)
        #expect(gap.message.hasPrefix("random_flip: RandomFlip transforms images at random in training, which cnnc does not compile yet"))
        #expect(gap.message.contains("--augment horizontal_flip"))
        #expect(gap.location.line == 3)
    }

    @Test func identityAloneTrains() throws {
        let text = "input_shape: [4]\nlayers:\n  - Identity\n  - Dense: {units: 2, activation: softmax}\n"
        let model = try Frontend.load(text: text, file: "identity.yaml").get()
        #expect(model.trainingGap == nil && model.notes.isEmpty)
    }

    @Test func theirArgumentsAreChecked() {
        let text = """
            input_shape: [8, 8, 3]
            layers:
              - RandomFlip: {mode: sideways}
              - RandomRotation: {fill_mode: reflect}
              - RandomZoom: {height_factor: [0.2, -0.1]}
              - RandomContrast: {factor: 0.2, data_format: channels_first}
              - RandomBrightness: {factor: 0.1, value_range: 255}
              - RandomTranslation: {height_factor: 0.1, width_factor: 0.1, interpolation: cubic}

            """
        guard case .failure(let error) = Frontend.load(text: text, file: "augment.yaml") else {
            Issue.record("bad augmentation arguments were accepted")
            return
        }
        let messages = error.diagnostics.map(\.description)
        let expected = [
            "augment.yaml:3:24: error: random_flip: 'mode' must be one of 'horizontal_and_vertical', 'horizontal', 'vertical', not \"sideways\"",
            "augment.yaml:4:5: error: random_rotation: RandomRotation needs 'factor'",
            "augment.yaml:5:33: error: random_zoom: 'height_factor' must be a fraction f (for the range −f to f) or a range [low, high], not [0.2, -0.1]",
            "augment.yaml:6:48: error: random_contrast: 'data_format: \"channels_first\"' is not supported by cnnc (tensors are laid out height, width, channels); only channels_last is",
            "augment.yaml:7:50: error: random_brightness: 'value_range' must be the range of pixel values, [low, high], not 255",
            "augment.yaml:8:79: error: random_translation: 'interpolation' must be one of 'bilinear', 'nearest', not \"cubic\"",
        ]
        #expect(messages == expected, "\(messages)")
    }
}
