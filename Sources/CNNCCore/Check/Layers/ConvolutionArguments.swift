/// Conv2D's, DepthwiseConv2D's, SeparableConv2D's and Conv2DTranspose's arguments (Conv1D's: `SequenceArguments`), with Keras 3's defaults.
enum ConvolutionArguments {
    static let conv2D = LayerDecoder(
        arguments: ["filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias", "activation",
                    "data_format", "groups", "kernel_initializer", "bias_initializer"]
    ) { reader in
        let filters = reader.int("filters", default: nil, meaning: "the number of output channels")
        let kernel = reader.pair("kernel_size", default: nil, meaning: "the filter's height and width")
        let strides = reader.pair("strides", default: .square(1), meaning: "the step of the filter")
        let padding = reader.choice("padding", default: PaddingMode.valid)
        let groups = reader.int("groups", default: 1, meaning: "the channel groups, each convolved on its own")
        let rest = readKernelTail(&reader, strides: strides, groupsRead: true)
        guard let filters, let kernel, let strides, let padding, let groups, let rest else { return nil }
        return .conv2D(Conv2DConfig(filters: filters, kernelSize: kernel, strides: strides, padding: padding,
                                    dilationRate: rest.dilation, useBias: rest.useBias, activation: rest.activation, groups: groups))
    }

    /// Keras 3 names the kernel `kernel` (Keras 2 `depthwise_kernel`) but its
    /// initializer, regularizer and constraint `depthwise_…`.
    static let depthwiseConv2D = LayerDecoder(
        arguments: ["kernel_size", "strides", "padding", "depth_multiplier", "dilation_rate", "use_bias", "activation",
                    "data_format", "depthwise_initializer", "bias_initializer"]
    ) { reader in
        let kernel = reader.pair("kernel_size", default: nil, meaning: "the filter's height and width")
        let strides = reader.pair("strides", default: .square(1), meaning: "the step of the filter")
        let padding = reader.choice("padding", default: PaddingMode.valid)
        let multiplier = reader.int("depth_multiplier", default: 1, meaning: "the number of filters per input channel")
        let dilation = reader.pair("dilation_rate", default: .square(1), meaning: "the spacing of the filter's taps")
        let useBias = reader.bool("use_bias", default: true)
        let activation = reader.activation()
        reader.channelsLast()
        requireOneGroup(&reader)  // Keras 2 writes `groups: 1`
        WeightArguments.read(&reader, weights: ["depthwise", "bias"])
        guard stridesAndDilationAgree(&reader, strides, dilation, one: .square(1)) else { return nil }
        guard let kernel, let strides, let padding, let multiplier, let dilation, let useBias, let activation else { return nil }
        return .depthwiseConv2D(DepthwiseConv2DConfig(depthMultiplier: multiplier, kernelSize: kernel, strides: strides, padding: padding,
                                                      dilationRate: dilation, useBias: useBias, activation: activation))
    }

    static let separableConv2D = LayerDecoder(
        arguments: ["filters", "kernel_size", "strides", "padding", "depth_multiplier", "dilation_rate", "use_bias", "activation",
                    "data_format", "depthwise_initializer", "pointwise_initializer", "bias_initializer"]
    ) { reader in
        let filters = reader.int("filters", default: nil, meaning: "the number of output channels")
        let kernel = reader.pair("kernel_size", default: nil, meaning: "the filter's height and width")
        let strides = reader.pair("strides", default: .square(1), meaning: "the step of the filter")
        let padding = reader.choice("padding", default: PaddingMode.valid)
        let multiplier = reader.int("depth_multiplier", default: 1, meaning: "the number of depthwise filters per input channel")
        let dilation = reader.pair("dilation_rate", default: .square(1), meaning: "the spacing of the filter's taps")
        let useBias = reader.bool("use_bias", default: true)
        let activation = reader.activation()
        reader.channelsLast()
        requireOneGroup(&reader)
        // Keras 2 also writes the `kernel_…` arguments of Conv2D, which it does not use.
        WeightArguments.read(&reader, weights: ["depthwise", "pointwise", "bias", "kernel"])
        guard stridesAndDilationAgree(&reader, strides, dilation, one: .square(1)) else { return nil }
        guard let filters, let kernel, let strides, let padding, let multiplier, let dilation, let useBias, let activation else { return nil }
        return .separableConv2D(SeparableConv2DConfig(filters: filters, depthMultiplier: multiplier, kernelSize: kernel, strides: strides,
                                                      padding: padding, dilationRate: dilation, useBias: useBias, activation: activation))
    }

    /// Keras 2 also writes `groups: 1`, which Conv2DTranspose does not use.
    static let conv2DTranspose = LayerDecoder(
        arguments: ["filters", "kernel_size", "strides", "padding", "output_padding", "dilation_rate", "use_bias", "activation",
                    "data_format", "kernel_initializer", "bias_initializer"]
    ) { reader in
        let filters = reader.int("filters", default: nil, meaning: "the number of output channels")
        let kernel = reader.pair("kernel_size", default: nil, meaning: "the filter's height and width")
        let strides = reader.pair("strides", default: .square(1), meaning: "the step between input pixels in the output")
        let padding = reader.choice("padding", default: PaddingMode.valid)
        let outputPaddingValue = reader.value("output_padding")
        var outputPadding: Size2D?, outputPaddingIsValid = true
        if let outputPaddingValue, !outputPaddingValue.isNull {
            outputPadding = reader.pair("output_padding", default: nil, minimum: 0, meaning: "extra rows and columns at the bottom and right")
            outputPaddingIsValid = outputPadding != nil
        }
        let rest = readKernelTail(&reader, strides: strides)
        guard outputPaddingIsValid, let filters, let kernel, let strides, let padding, let rest else { return nil }
        if let outputPadding, let location = outputPaddingValue?.location,
           outputPadding.height >= strides.height || outputPadding.width >= strides.width {
            reader.error("'output_padding' \(outputPadding) must be less than strides \(strides) along both axes, as Keras requires", at: location)
            return nil
        }
        return .conv2DTranspose(Conv2DTransposeConfig(filters: filters, kernelSize: kernel, strides: strides, padding: padding,
                                                      outputPadding: outputPadding, dilationRate: rest.dilation, useBias: rest.useBias,
                                                      activation: rest.activation))
    }

    /// What Conv2D and Conv2DTranspose read after their geometry: dilation_rate
    /// (refused with strides above 1), use_bias, activation, and the keys that
    /// must keep their default (data_format, groups unless `groupsRead`,
    /// regularizers, constraints).
    private static func readKernelTail(_ reader: inout ArgumentReader, strides: Size2D?,
                                       groupsRead: Bool = false) -> (dilation: Size2D, useBias: Bool, activation: Activation)? {
        let dilation = reader.pair("dilation_rate", default: .square(1), meaning: "the spacing of the filter's taps")
        let useBias = reader.bool("use_bias", default: true)
        let activation = reader.activation()
        reader.channelsLast()
        if !groupsRead { requireOneGroup(&reader) }
        WeightArguments.read(&reader, weights: ["kernel", "bias"])
        guard stridesAndDilationAgree(&reader, strides, dilation, one: .square(1)), let dilation, let useBias, let activation else { return nil }
        return (dilation, useBias, activation)
    }

    static func requireOneGroup(_ reader: inout ArgumentReader) {
        reader.requireValue("groups", equalTo: "groups: 1", matches: { if case .int(1) = $0.kind { true } else { false } },
                            because: "grouped convolutions are not implemented")
    }

    /// Strides and dilation above 1 together are refused, as Keras 3 refuses them
    /// (`one`: a stride of 1, `.square(1)` for an image, 1 for a sequence).
    static func stridesAndDilationAgree<Length: Equatable & CustomStringConvertible>(
        _ reader: inout ArgumentReader, _ strides: Length?, _ dilation: Length?, one: Length
    ) -> Bool {
        guard let strides, let dilation, strides != one, dilation != one else { return true }
        reader.error("strides \(strides) together with dilation_rate \(dilation) is not supported (Keras allows one or the other above 1)", at: reader.layerLocation)
        return false
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
