import Foundation

/// Each layer class's `get_config()` arguments, as Keras 3.15 lists them
/// (Tests/Fixtures/keras/json3/ holds what Keras itself wrote for every spec).
enum KerasLayerConfig {
    static func arguments(of layer: CheckedLayer) -> [String: Any] {
        switch layer.operation {
        case .conv2D(let c):
            var arguments = conv2DLike(filters: c.filters, activation: c.activation, useBias: c.useBias)
            arguments.merge(["kernel_size": pair(c.kernelSize), "strides": pair(c.strides), "padding": c.padding.rawValue,
                             "dilation_rate": pair(c.dilationRate), "groups": c.groups]) { _, new in new }
            return arguments
        case .depthwiseConv2D(let c):
            return ["depth_multiplier": c.depthMultiplier, "kernel_size": pair(c.kernelSize), "strides": pair(c.strides),
                    "padding": c.padding.rawValue, "data_format": "channels_last", "dilation_rate": pair(c.dilationRate),
                    "activation": c.activation.rawValue, "use_bias": c.useBias,
                    "depthwise_initializer": glorotUniform, "bias_initializer": initializer("Zeros"),
                    "depthwise_regularizer": NSNull(), "bias_regularizer": NSNull(), "activity_regularizer": NSNull(),
                    "depthwise_constraint": NSNull(), "bias_constraint": NSNull()]
        case .separableConv2D(let c):
            return ["depth_multiplier": c.depthMultiplier, "filters": c.filters, "kernel_size": pair(c.kernelSize), "strides": pair(c.strides),
                    "padding": c.padding.rawValue, "data_format": "channels_last", "dilation_rate": pair(c.dilationRate),
                    "activation": c.activation.rawValue, "use_bias": c.useBias,
                    "depthwise_initializer": glorotUniform, "pointwise_initializer": glorotUniform, "bias_initializer": initializer("Zeros"),
                    "depthwise_regularizer": NSNull(), "pointwise_regularizer": NSNull(), "bias_regularizer": NSNull(),
                    "activity_regularizer": NSNull(), "depthwise_constraint": NSNull(), "pointwise_constraint": NSNull(),
                    "bias_constraint": NSNull()]
        case .conv2DTranspose(let c):
            return ["filters": c.filters, "kernel_size": pair(c.kernelSize), "strides": pair(c.strides), "padding": c.padding.rawValue,
                    "output_padding": c.outputPadding.map { pair($0) as Any } ?? NSNull(),
                    "data_format": "channels_last", "dilation_rate": pair(c.dilationRate),
                    "activation": c.activation.rawValue, "use_bias": c.useBias,
                    "kernel_initializer": glorotUniform, "bias_initializer": initializer("Zeros"),
                    "kernel_regularizer": NSNull(), "bias_regularizer": NSNull(), "activity_regularizer": NSNull(),
                    "kernel_constraint": NSNull(), "bias_constraint": NSNull()]
        case .dense(let c):
            return ["units": c.units, "activation": c.activation.rawValue, "use_bias": c.useBias,
                    "kernel_initializer": glorotUniform, "bias_initializer": initializer("Zeros"),
                    "kernel_regularizer": NSNull(), "bias_regularizer": NSNull(),
                    "kernel_constraint": NSNull(), "bias_constraint": NSNull(), "quantization_config": NSNull()]
        case .maxPooling2D(let c), .averagePooling2D(let c):
            return ["pool_size": pair(c.poolSize), "padding": c.padding.rawValue, "strides": pair(c.strides), "data_format": "channels_last"]
        case .globalAveragePooling2D(let c), .globalMaxPooling2D(let c):
            return ["data_format": "channels_last", "keepdims": c.keepdims]
        case .flatten:
            return ["data_format": "channels_last"]
        case .dropout(let c):
            let noiseShape: Any = c.noiseShape.map { shape in shape.map { size -> Any in size.map { $0 as Any } ?? NSNull() } } ?? NSNull()
            return ["rate": c.rate, "seed": NSNull(), "noise_shape": noiseShape]
        case .activation(let activation):
            return ["activation": activation.rawValue]
        case .elu(let alpha):
            return ["alpha": alpha]
        case .relu(let c):
            if layer.className == "LeakyReLU" { return ["negative_slope": c.negativeSlope] }
            return ["max_value": c.maxValue.map { $0 as Any } ?? NSNull(), "negative_slope": c.negativeSlope, "threshold": c.threshold]
        case .softmax:
            return ["axis": -1]
        case .batchNormalization(let c):
            return ["axis": -1, "momentum": c.momentum, "epsilon": c.epsilon, "center": c.center, "scale": c.scale,
                    "beta_initializer": initializer("Zeros"), "gamma_initializer": initializer("Ones"),
                    "moving_mean_initializer": initializer("Zeros"), "moving_variance_initializer": initializer("Ones"),
                    "beta_regularizer": NSNull(), "gamma_regularizer": NSNull(), "beta_constraint": NSNull(), "gamma_constraint": NSNull(),
                    "synchronized": false, "renorm": false, "renorm_clipping": NSNull(), "renorm_momentum": 0.99]
        case .layerNormalization(let c):
            return ["axis": [-1], "epsilon": c.epsilon, "center": c.center, "scale": c.scale, "rms_scaling": false,
                    "beta_initializer": initializer("Zeros"), "gamma_initializer": initializer("Ones"),
                    "beta_regularizer": NSNull(), "gamma_regularizer": NSNull(), "beta_constraint": NSNull(), "gamma_constraint": NSNull()]
        case .layerScale(let c):
            return ["init_values": c.initValues, "projection_dim": c.projectionDim]
        case .prelu(let c):
            return ["alpha_initializer": initializer("Zeros"), "alpha_regularizer": NSNull(), "alpha_constraint": NSNull(),
                    "shared_axes": c.sharedAxes.isEmpty ? NSNull() : c.sharedAxes]
        case .zeroPadding2D(let p):
            return ["padding": [[p.top, p.bottom], [p.left, p.right]], "data_format": "channels_last"]
        case .cropping2D(let p):
            return ["cropping": [[p.top, p.bottom], [p.left, p.right]], "data_format": "channels_last"]
        case .upSampling2D(let c):
            return ["size": pair(c.size), "data_format": "channels_last", "interpolation": c.interpolation.rawValue]
        case .resizing(let c) where c.centerCrop:
            return ["height": c.height, "width": c.width, "data_format": "channels_last"]
        case .resizing(let c):
            return ["height": c.height, "width": c.width, "interpolation": c.bilinear ? "bilinear" : "nearest",
                    "crop_to_aspect_ratio": c.cropToAspectRatio, "pad_to_aspect_ratio": c.padToAspectRatio, "fill_mode": "constant",
                    "fill_value": c.fillValue, "antialias": c.antialias, "data_format": "channels_last"]
        case .reshape(let c):
            return ["target_shape": c.targetShape]
        case .rescaling(let c):
            return ["scale": numbers(c.scale, isList: c.scaleIsList), "offset": numbers(c.offset, isList: c.offsetIsList)]
        case .normalization(let c):
            let constants = c.constants
            return ["axis": [-1], "invert": c.invert,
                    "mean": constants.map { numbers($0.mean, isList: $0.isList) } ?? NSNull(),
                    "variance": constants.map { numbers($0.variance, isList: $0.isList) } ?? NSNull()]
        case .merge(.scaledAdd(let scale)):
            return ["scale": scale]
        case .merge:
            return [:]
        case .concatenate(let c):
            return ["axis": c.axis]
        case .oneDimensional(let operation):
            return sequenceArguments(operation)
        case .permute(let c):
            return ["dims": c.dims]
        case .repeatVector(let c):
            return ["n": c.n]
        case .identityAtInference(.randomImage(let random)):
            var config = random.arguments.mapValues(\.jsonValue)
            config["seed"] = NSNull()
            config["data_format"] = "channels_last"
            return config
        case .identityAtInference(.identity):
            return [:]
        case .identityAtInference(let trainingOnly):
            var config: [String: Any] = trainingOnly.kerasArguments
            if case .activityRegularization = trainingOnly {} else { config["seed"] = NSNull() }
            if case .spatialDropout = trainingOnly, layer.className == "SpatialDropout2D" { config["data_format"] = "channels_last" }
            return config
        }
    }

    /// The 1D layers' arguments: lengths as lists of one, as Keras writes them
    /// (UpSampling1D's `size` is a plain number there).
    private static func sequenceArguments(_ operation: OneDimensionalOperation) -> [String: Any] {
        switch operation {
        case .conv1D(let c):
            var arguments = conv2DLike(filters: c.filters, activation: c.activation, useBias: c.useBias)
            arguments.merge(["kernel_size": [c.kernelSize], "strides": [c.strides], "padding": c.padding.rawValue,
                             "dilation_rate": [c.dilationRate]]) { _, new in new }
            return arguments
        case .maxPooling1D(let c), .averagePooling1D(let c):
            return ["pool_size": [c.poolSize], "padding": c.padding.rawValue, "strides": [c.strides], "data_format": "channels_last"]
        case .globalAveragePooling1D(let c), .globalMaxPooling1D(let c):
            return ["data_format": "channels_last", "keepdims": c.keepdims]
        case .zeroPadding1D(let p):
            return ["padding": [p.left, p.right], "data_format": "channels_last"]
        case .cropping1D(let p):
            return ["cropping": [p.left, p.right]]
        case .upSampling1D(let size):
            return ["size": size]
        }
    }

    /// Keras records the input shape of layers that build weights or state from it.
    static func hasBuildConfig(_ operation: LayerOperation) -> Bool {
        switch operation {
        case .conv2D, .depthwiseConv2D, .separableConv2D, .conv2DTranspose, .dense, .batchNormalization, .layerNormalization, .prelu, .layerScale, .flatten, .zeroPadding2D, .merge, .concatenate,
             .cropping2D, .upSampling2D, .rescaling, .normalization: true
        case .oneDimensional(.conv1D), .oneDimensional(.zeroPadding1D), .oneDimensional(.cropping1D), .oneDimensional(.upSampling1D): true
        case .permute, .repeatVector: true
        default: false
        }
    }

    /// Conv2D's and Conv1D's arguments besides the window's.
    private static func conv2DLike(filters: Int, activation: Activation, useBias: Bool) -> [String: Any] {
        ["filters": filters, "data_format": "channels_last", "groups": 1, "activation": activation.rawValue, "use_bias": useBias,
         "kernel_initializer": glorotUniform, "bias_initializer": initializer("Zeros"),
         "kernel_regularizer": NSNull(), "bias_regularizer": NSNull(), "activity_regularizer": NSNull(),
         "kernel_constraint": NSNull(), "bias_constraint": NSNull()]
    }

    /// A number, or a list of one per channel, as the config held it.
    static func numbers(_ values: [Double], isList: Bool) -> Any {
        isList || values.count != 1 ? values : values[0]
    }

    static func pair(_ size: Size2D) -> [Int] { [size.height, size.width] }

    static func initializer(_ name: String, _ config: [String: Any] = [:]) -> [String: Any] {
        ["module": "keras.initializers", "class_name": name, "config": config, "registered_name": NSNull()]
    }

    static var glorotUniform: [String: Any] { initializer("GlorotUniform", ["seed": NSNull(), "input_axes": NSNull(), "output_axes": NSNull()]) }
}
