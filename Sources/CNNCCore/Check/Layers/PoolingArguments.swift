/// Pooling layers' arguments: `strides` default to `pool_size`, as in Keras.
enum PoolingArguments {
    static let windowArguments = ["pool_size", "strides", "padding", "data_format"]
    static let globalArguments = ["keepdims", "data_format"]

    static let maxPooling2D = LayerDecoder(arguments: windowArguments) { reader in
        window(&reader).map(LayerOperation.maxPooling2D)
    }
    static let averagePooling2D = LayerDecoder(arguments: windowArguments) { reader in
        window(&reader).map(LayerOperation.averagePooling2D)
    }
    static let globalAveragePooling2D = LayerDecoder(arguments: globalArguments) { reader in
        global(&reader).map(LayerOperation.globalAveragePooling2D)
    }
    static let globalMaxPooling2D = LayerDecoder(arguments: globalArguments) { reader in
        global(&reader).map(LayerOperation.globalMaxPooling2D)
    }

    private static func window(_ reader: inout ArgumentReader) -> Pooling2DConfig? {
        let pool = reader.pair("pool_size", default: .square(2), meaning: "the window's height and width")
        let strides = reader.pair("strides", default: pool ?? .square(2), meaning: "the step of the window")
        let padding = reader.choice("padding", default: PaddingMode.valid)
        reader.channelsLast()
        guard let pool, let strides, let padding else { return nil }
        return Pooling2DConfig(poolSize: pool, strides: strides, padding: padding)
    }

    static func global(_ reader: inout ArgumentReader, axes: String = "height, width, channels") -> GlobalPoolingConfig? {
        let keepdims = reader.bool("keepdims", default: false)
        reader.channelsLast(axes: axes)
        return keepdims.map(GlobalPoolingConfig.init)
    }
}
