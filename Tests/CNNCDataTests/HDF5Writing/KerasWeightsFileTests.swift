import Foundation
@testable import CNNCData
import Testing

/// The Keras 3 layout: where each layer's weights go and what the groups say.
/// (Tests/Fixtures/hdf5-writing/check_keras_load.txt records Keras loading such files.)
@Suite struct KerasWeightsFileTests {
    /// keras.src.utils.naming.to_snake_case, as Keras 3.15 computes it.
    @Test(arguments: [
        ("Conv2D", "conv2d"), ("MaxPooling2D", "max_pooling2d"), ("ReLU", "re_lu"),
        ("GlobalAveragePooling2D", "global_average_pooling2d"), ("InputLayer", "input_layer"),
        ("BatchNormalization", "batch_normalization"), ("ZeroPadding2D", "zero_padding2d"),
        ("SpatialDropout2D", "spatial_dropout2d"), ("PReLU", "p_re_lu"), ("LeakyReLU", "leaky_re_lu"),
        ("Conv2DTranspose", "conv2d_transpose"), ("SeparableConv2D", "separable_conv2d"), ("ELU", "elu"),
        ("HTTPServerX", "http_server_x"), ("LSTMCell", "lstm_cell"), ("TFOpLambda", "tf_op_lambda"),
        ("ABcDe", "a_bc_de"), ("aBcD", "a_bc_d"), ("aB1Cd", "a_b1_cd"), ("ConvLSTM2D", "conv_lstm2d"),
        ("MyLayer_v2", "my_layer_v2"), ("My-Layer.Thing", "my_layer_thing"), ("AB__Cd", "ab___cd"),
        ("a__B", "a__b"), ("Dense1", "dense1"), ("Über", "über"), ("", ""),
    ])
    func snakeCase(className: String, expected: String) {
        #expect(KerasWeightsFile.snakeCase(className) == expected)
    }

    @Test func placesCountEachNameAndFollowAliases() {
        let classes = ["InputLayer", "Conv2D", "Conv2D", "MaxPool2D", "MaxPooling2D", "Convolution2D", "InputLayer"]
        #expect(KerasWeightsFile.places(forClassNames: classes)
            == ["input_layer", "conv2d", "conv2d_1", "max_pooling2d", "max_pooling2d_1", "conv2d_2", "input_layer_1"])
    }

    // The weights of a real model (the Keras check built it and loaded the golden
    // file made from them): input (6, 6, 1), Conv2D(2, 3, padding="same"),
    // BatchNormalization, ReLU, MaxPooling2D, Conv2D(2, 3, padding="same",
    // name="second"), Flatten, Dense(3).
    static let convKernel = HDF5Array.float32(shape: [3, 3, 1, 2], (0..<18).map { Float($0) / 8 })
    static let convBias = HDF5Array.float32(shape: [2], [0.5, -0.25])
    static let batchNorm = (0..<4).map { HDF5Array.float32(shape: [2], [Float($0), Float($0) + 0.5]) }
    static let secondKernel = HDF5Array.float32(shape: [3, 3, 2, 2], (0..<36).map { Float($0) / 16 - 1 })
    static let secondBias = HDF5Array.float32(shape: [2], [-1, 1])
    static let denseKernel = HDF5Array.float32(shape: [18, 3], (0..<54).map { Float($0) / 4 - 6 })
    static let denseBias = HDF5Array.float32(shape: [3], [1, 2, 3])

    /// As cnnc would pass a Sequential model: config.json's layers, its InputLayer first.
    static let sequentialLayers: [KerasWeightsFile.Layer] = [
        .init(className: "InputLayer", name: "input_layer", weights: []),
        .init(className: "Conv2D", name: "conv2d", weights: [convKernel, convBias]),
        .init(className: "BatchNormalization", name: "batch_normalization", weights: batchNorm),
        .init(className: "ReLU", name: "re_lu", weights: []),
        .init(className: "MaxPooling2D", name: "max_pooling2d", weights: []),
        .init(className: "Conv2D", name: "second", weights: [secondKernel, secondBias]),
        .init(className: "Flatten", name: "flatten", weights: []),
        .init(className: "Dense", name: "dense", weights: [denseKernel, denseBias]),
    ]

    @Test func sequentialLayout() throws {
        let bytes = try KerasWeightsFile.bytes(modelName: "sequential", kind: .sequential, layers: Self.sequentialLayers)
        let found = try Snapshot(reading: HDF5File(bytes: bytes, path: "sequential.weights.h5"))
        let expected = Snapshot(
            groups: [
                "/": [:], "vars": ["name": "sequential"], "layers": [:],
                "layers/conv2d": [:], "layers/conv2d/vars": ["name": "conv2d"],
                "layers/batch_normalization": [:], "layers/batch_normalization/vars": ["name": "batch_normalization"],
                "layers/re_lu": [:], "layers/re_lu/vars": ["name": "re_lu"],
                "layers/max_pooling2d": [:], "layers/max_pooling2d/vars": ["name": "max_pooling2d"],
                "layers/conv2d_1": [:], "layers/conv2d_1/vars": ["name": "second"],
                "layers/flatten": [:], "layers/flatten/vars": ["name": "flatten"],
                "layers/dense": [:], "layers/dense/vars": ["name": "dense"],
            ],
            datasets: [
                "layers/conv2d/vars/0": Self.convKernel, "layers/conv2d/vars/1": Self.convBias,
                "layers/batch_normalization/vars/0": Self.batchNorm[0],
                "layers/batch_normalization/vars/1": Self.batchNorm[1],
                "layers/batch_normalization/vars/2": Self.batchNorm[2],
                "layers/batch_normalization/vars/3": Self.batchNorm[3],
                "layers/conv2d_1/vars/0": Self.secondKernel, "layers/conv2d_1/vars/1": Self.secondBias,
                "layers/dense/vars/0": Self.denseKernel, "layers/dense/vars/1": Self.denseBias,
            ])
        #expect(found == expected, "found:\n\(found)")
    }

    /// A Functional model's InputLayers are among `model.layers`: they get places (and
    /// count as one class name), and a Sequential's leading one does not.
    @Test func functionalKeepsInputLayers() throws {
        let layers: [KerasWeightsFile.Layer] = [
            .init(className: "InputLayer", name: "image", weights: []),
            .init(className: "InputLayer", name: "mask", weights: []),
            .init(className: "Conv2D", name: "stem", weights: [Self.convKernel, Self.convBias]),
        ]
        let file = try HDF5File(
            bytes: KerasWeightsFile.bytes(modelName: "functional", kind: .functional, layers: layers), path: "f.h5")
        #expect(try file.group(at: "layers").children.map(\.name) == ["conv2d", "input_layer", "input_layer_1"])
        #expect(try file.group(at: "layers/input_layer_1/vars").attribute("name").string == "mask")
        #expect(try file.group(at: "layers/input_layer/vars").children.isEmpty)
    }

    @Test func optimizerState() throws {
        let optimizer = KerasWeightsFile.Optimizer(
            name: "adam",
            variables: [.int32(shape: [], [3]), .float32(shape: [], [0.001])]
                + (0..<12).map { .float32(shape: [2], [Float($0), 0]) })
        let bytes = try KerasWeightsFile.bytes(
            modelName: "m", kind: .functional, layers: [.init(className: "Dense", name: "d", weights: [])],
            optimizer: optimizer)
        let file = try HDF5File(bytes: bytes, path: "o.h5")
        let vars = try file.group(at: "optimizer/vars")
        #expect(try vars.attribute("name").string == "adam")
        // HDF5 keeps names in byte order, Keras finds them by name.
        #expect(vars.children.map(\.name) == ["0", "1", "10", "11", "12", "13", "2", "3", "4", "5", "6", "7", "8", "9"])
        #expect(try file.dataset(at: "optimizer/vars/0").integers() == [3])
        #expect(try file.dataset(at: "optimizer/vars/13").floats() == [11, 0])
    }

    /// cnnc's own reader (a copy of CNNCData's KerasWeights) finds every weight by layer name.
    @Test func cnncReaderReadsIt() throws {
        let bytes = try KerasWeightsFile.bytes(modelName: "sequential", kind: .sequential, layers: Self.sequentialLayers)
        let file = try HDF5File(bytes: bytes, path: "sequential.weights.h5")
        let layers: [KerasWeights.Layer] = [
            .init(name: "conv2d", weights: [("kernel", [3, 3, 1, 2]), ("bias", [2])]),
            .init(name: "batch_normalization", weights: [("gamma", [2]), ("beta", [2]), ("moving_mean", [2]), ("moving_variance", [2])]),
            .init(name: "second", weights: [("kernel", [3, 3, 2, 2]), ("bias", [2])]),
            .init(name: "dense", weights: [("kernel", [18, 3]), ("bias", [3])]),
        ]
        let tensors = try KerasWeights.read(file, for: layers)
        #expect(tensors.count == 10)
        #expect(tensors["second.kernel"] == (0..<36).map { Float($0) / 16 - 1 })
        #expect(tensors["batch_normalization.moving_variance"] == [3, 3.5])
        #expect(tensors["dense.bias"] == [1, 2, 3])
    }

    @Test func layoutsKerasCannotSave() {
        func message(kind: KerasWeightsFile.ModelKind, _ layers: [KerasWeightsFile.Layer]) -> String {
            do {
                _ = try KerasWeightsFile.bytes(modelName: "m", kind: kind, layers: layers)
                return "no error"
            } catch {
                return error.message
            }
        }
        #expect(message(kind: .functional, [
            .init(className: "Dense", name: "a", weights: []), .init(className: "Dense", name: "b", weights: []),
            .init(className: "Dense_1", name: "c", weights: []),
        ]) == "layers 'b' (Dense) and 'c' (Dense_1) would both be saved at 'layers/dense_1'; Keras cannot save this model either")
        #expect(message(kind: .functional, [.init(className: "--", name: "odd", weights: [])])
            == "layer 'odd': its class name '--' has no letters, digits or '_', so Keras cannot name its place in the weights file")
        #expect(message(kind: .sequential, [.init(className: "InputLayer", name: "in", weights: [Self.convBias])])
            == "InputLayer 'in' has 1 weights; it has none in Keras")
        #expect(message(kind: .sequential, [.init(className: "Dense", name: "d", weights: [.float32(shape: [2], [1])])])
            == "dataset 'layers/dense/vars/0' has shape (2,), which holds 2 elements, but 1 float32 value was given")
    }
}
