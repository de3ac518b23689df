/// Conv2D's arguments, with Keras 3's defaults.
enum ConvolutionArguments {
    static let conv2D = LayerDecoder(
        arguments: ["filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias", "activation",
                    "data_format", "groups", "kernel_initializer", "bias_initializer"]
    ) { reader in
        let filters = reader.int("filters", default: nil, meaning: "the number of output channels")
        let kernel = reader.pair("kernel_size", default: nil, meaning: "the filter's height and width")
        let strides = reader.pair("strides", default: .square(1), meaning: "the step of the filter")
        let padding = reader.choice("padding", default: PaddingMode.valid)
        let dilation = reader.pair("dilation_rate", default: .square(1), meaning: "the spacing of the filter's taps")
        let useBias = reader.bool("use_bias", default: true)
        let activation = reader.activation()
        reader.channelsLast()
        reader.requireValue("groups", equalTo: "groups: 1", matches: { if case .int(1) = $0.kind { true } else { false } },
                            because: "grouped convolutions are not implemented")
        WeightArguments.read(&reader, weights: ["kernel", "bias"])
        if let strides, let dilation, strides != .square(1), dilation != .square(1) {
            // Keras 3 refuses this combination too.
            reader.error("strides \(strides) together with dilation_rate \(dilation) is not supported (Keras allows one or the other above 1)", at: reader.layerLocation)
            return nil
        }
        guard let filters, let kernel, let strides, let padding, let dilation, let useBias, let activation else { return nil }
        return .conv2D(Conv2DConfig(filters: filters, kernelSize: kernel, strides: strides, padding: padding,
                                    dilationRate: dilation, useBias: useBias, activation: activation))
    }
}

/// Initializers, regularizers and constraints of layers with weights: the
/// initializers only matter for training from scratch (cnnc uses Keras's
/// defaults), the others change training and are refused when set.
enum WeightArguments {
    static func read(_ reader: inout ArgumentReader, weights: [String]) {
        for weight in weights {
            reader.ignore("\(weight)_initializer")
            reader.requireNull("\(weight)_regularizer", because: "regularization penalties are not implemented")
            reader.requireNull("\(weight)_constraint", because: "weight constraints are not implemented")
        }
        reader.requireNull("activity_regularizer", because: "activity regularization is not implemented")
        reader.requireNull("lora_rank", "lora_alpha", "quantization_config", because: "LoRA and quantized layers are not implemented")
    }
}
