import CNNCCore
import Testing

/// Keras's image augmentation layers (RandomFlip, RandomRotation, ...) are
/// identity at inference, as Keras's `predict` runs them, transform images at
/// random in training, and their arguments are checked as Keras checks them.
/// `Identity` is identity everywhere. (Against Keras: GraphModelsTests runs
/// the transfer-learning model `augmented_transfer` and checks its gradients,
/// its summary is compared in KerasSummaryTests, and RandomImageOperationsTests
/// compares each transform with Keras's for the same parameters.)
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

    @Test func theyAreIdentityAtInferenceAndTrain() throws {
        let model = try Frontend.load(text: Self.spec, file: "augment.yaml").get()
        #expect(model.layers.prefix(7).allSatisfy { $0.outputShape == $0.inputShape && $0.parameters == 0 })
        #expect(model.notes.count == 6, "one note for each augmentation layer, none for Identity: \(model.notes)")
        #expect(model.trainingGap == nil)
        guard case .identityAtInference(.randomImage(let rotation)) = model.layers[1].operation,
              case .identityAtInference(.randomImage(let contrast)) = model.layers[4].operation else {
            Issue.record("not augmentation layers: \(model.layers.map(\.className))")
            return
        }
        // Keras's ranges: a pair as given, in degrees; RandomContrast's single factor from 0.
        #expect(rotation.transform == .rotation(degrees: -36...72, sampling: AffineSampling(bilinear: true, fillMode: "nearest", fillValue: 0)))
        #expect(contrast.transform == .contrast(factor: 0...0.2, values: 0...255))
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
              - RandomZoom: {height_factor: [0.2, 1.5]}
              - RandomContrast: {factor: 0.2, data_format: channels_first}
              - RandomBrightness: {factor: 0.1, value_range: 255}
              - RandomTranslation: {height_factor: 0.1, width_factor: 0.1, interpolation: cubic}
              - RandomRotation: {factor: 1.0e+37}
              - RandomRotation: {factor: 0.1, fill_mode: constant, fill_value: 1.0e+39}
              - RandomTranslation: {height_factor: [-1, 0.2], width_factor: -1}

            """
        guard case .failure(let error) = Frontend.load(text: text, file: "augment.yaml") else {
            Issue.record("bad augmentation arguments were accepted")
            return
        }
        let messages = error.diagnostics.map(\.description)
        let expected = [
            "augment.yaml:3:24: error: random_flip: 'mode' must be one of 'horizontal_and_vertical', 'horizontal', 'vertical', not \"sideways\"",
            "augment.yaml:4:5: error: random_rotation: RandomRotation needs 'factor'",
            "augment.yaml:5:33: error: random_zoom: 'height_factor': each number must be above -1 and at most 1 (a fraction of the image), not 1.5",
            "augment.yaml:6:48: error: random_contrast: 'data_format: \"channels_first\"' is not supported by cnnc (tensors are laid out height, width, channels); only channels_last is",
            "augment.yaml:7:50: error: random_brightness: 'value_range' must be the range of pixel values, [low, high], not 255",
            "augment.yaml:8:79: error: random_translation: 'interpolation' must be one of 'bilinear', 'nearest', not \"cubic\"",
            "augment.yaml:9:30: error: random_rotation_1: 'factor': each number must be at most 10000 in size, not 1e+37",
            "augment.yaml:10:68: error: random_rotation_2: 'fill_value' must fit in float32 (at most 3.4e38 in size, a range's width too), not 1e+39",
        ]
        #expect(messages == expected, "\(messages)")
    }

    /// Resizing's and CenterCrop's sizes and fill value, as the generated code must hold them.
    @Test func resizingArgumentsAreChecked() {
        let text = """
            input_shape: [8, 8, 3]
            layers:
              - Resizing: {height: 70000, width: 3}
              - Resizing: {height: 4, width: 4, pad_to_aspect_ratio: true, fill_value: 1.0e+39}
              - Resizing: {height: 4, width: 4, crop_to_aspect_ratio: true, pad_to_aspect_ratio: true}
              - CenterCrop: {height: 0, width: 2}

            """
        guard case .failure(let error) = Frontend.load(text: text, file: "resize.yaml") else {
            Issue.record("bad Resizing arguments were accepted")
            return
        }
        let messages = error.diagnostics.map(\.description).joined(separator: "\n")
        #expect(messages.contains("resize.yaml:3:24: error: resizing: 'height: 70000' is more than cnnc resizes to"), "\(messages)")
        #expect(messages.contains("'fill_value' must be a number that fits in float32"), "\(messages)")
        #expect(messages.contains("only one of 'crop_to_aspect_ratio' and 'pad_to_aspect_ratio' can be true"), "\(messages)")
        #expect(messages.contains("center_crop: 'height'"), "\(messages)")
    }
}
