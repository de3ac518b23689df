/// The 1D layers' arguments over (steps, channels), with Keras 3's defaults:
/// a length is one number or, as Keras's JSON writes it, a list of one.
enum SequenceArguments {
    private static let axes = "steps, channels"

    static let conv1D = LayerDecoder(
        arguments: ["filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias", "activation",
                    "data_format", "groups", "kernel_initializer", "bias_initializer"]
    ) { reader in
        let filters = reader.int("filters", default: nil, meaning: "the number of output channels")
        let kernel = reader.single("kernel_size", default: nil, meaning: "the filter's length in steps")
        let strides = reader.single("strides", default: 1, meaning: "the step of the filter")
        let padding = reader.choice("padding", default: Padding1DMode.valid)
        let dilation = reader.single("dilation_rate", default: 1, meaning: "the spacing of the filter's taps")
        let useBias = reader.bool("use_bias", default: true)
        let activation = reader.activation()
        reader.channelsLast(axes: axes)
        ConvolutionArguments.requireOneGroup(&reader)
        WeightArguments.read(&reader, weights: ["kernel", "bias"])
        guard ConvolutionArguments.stridesAndDilationAgree(&reader, strides, dilation, one: 1) else { return nil }
        guard let filters, let kernel, let strides, let padding, let dilation, let useBias, let activation else { return nil }
        return .oneDimensional(.conv1D(Conv1DConfig(filters: filters, kernelSize: kernel, strides: strides, padding: padding,
                                                    dilationRate: dilation, useBias: useBias, activation: activation)))
    }

    static let maxPooling1D = LayerDecoder(arguments: PoolingArguments.windowArguments) { reader in
        window(&reader).map { .oneDimensional(.maxPooling1D($0)) }
    }
    static let averagePooling1D = LayerDecoder(arguments: PoolingArguments.windowArguments) { reader in
        window(&reader).map { .oneDimensional(.averagePooling1D($0)) }
    }
    static let globalAveragePooling1D = LayerDecoder(arguments: PoolingArguments.globalArguments) { reader in
        PoolingArguments.global(&reader, axes: axes).map { .oneDimensional(.globalAveragePooling1D($0)) }
    }
    static let globalMaxPooling1D = LayerDecoder(arguments: PoolingArguments.globalArguments) { reader in
        PoolingArguments.global(&reader, axes: axes).map { .oneDimensional(.globalMaxPooling1D($0)) }
    }

    static let zeroPadding1D = LayerDecoder(arguments: ["padding", "data_format"]) { reader in
        reader.channelsLast(axes: axes)
        return ends(&reader, key: "padding").map { .oneDimensional(.zeroPadding1D($0)) }
    }

    static let cropping1D = LayerDecoder(arguments: ["cropping"]) { reader in
        ends(&reader, key: "cropping").map { .oneDimensional(.cropping1D($0)) }
    }

    private static func window(_ reader: inout ArgumentReader) -> Pooling1DConfig? {
        let pool = reader.single("pool_size", default: 2, meaning: "the window's length in steps")
        let strides = reader.single("strides", default: pool ?? 2, meaning: "the step of the window")
        let padding = reader.choice("padding", default: PaddingMode.valid)
        reader.channelsLast(axes: axes)
        guard let pool, let strides, let padding else { return nil }
        return Pooling1DConfig(poolSize: pool, strides: strides, padding: padding)
    }

    /// Steps at the start and the end: one number for both (Keras's default 1),
    /// or `[start, end]`; kept as the `left` and `right` of a `Padding2D`.
    private static func ends(_ reader: inout ArgumentReader, key: String) -> Padding2D? {
        guard let value = reader.value(key), !value.isNull else { return Padding2D(top: 0, bottom: 0, left: 1, right: 1) }
        func amount(_ item: SpecValue) -> Int? {
            guard case .int(let number) = item.kind, number >= 0, number <= ArgumentLimits.maximumSize else { return nil }
            return number
        }
        if let both = amount(value) {
            return Padding2D(top: 0, bottom: 0, left: both, right: both)
        }
        if let items = value.list, items.count == 2, let start = amount(items[0]), let end = amount(items[1]) {
            return Padding2D(top: 0, bottom: 0, left: start, right: end)
        }
        reader.error("'\(key)' must be a whole number ≥ 0 or [start, end] (steps before and after), got \(value.sourceText)", at: value.location)
        return nil
    }
}
