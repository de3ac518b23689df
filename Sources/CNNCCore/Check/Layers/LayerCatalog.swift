/// The layer classes cnnc compiles, each with the decoder that turns its
/// Keras keyword arguments into a `LayerOperation`.
struct LayerDecoder: Sendable {
    /// The arguments that change what the layer computes, listed in messages.
    let arguments: [String]
    let decode: @Sendable (inout ArgumentReader) -> LayerOperation?
}

enum LayerCatalog {
    static let decoders: [String: LayerDecoder] = singleInputDecoders.merging(MergeArguments.decoders) { first, _ in first }
        .merging(["Concatenate": MergeArguments.concatenate]) { first, _ in first }

    /// Classes that read one tensor.
    private static let singleInputDecoders: [String: LayerDecoder] = [
        "Conv1D": SequenceArguments.conv1D,
        "MaxPooling1D": SequenceArguments.maxPooling1D,
        "AveragePooling1D": SequenceArguments.averagePooling1D,
        "GlobalAveragePooling1D": SequenceArguments.globalAveragePooling1D,
        "GlobalMaxPooling1D": SequenceArguments.globalMaxPooling1D,
        "ZeroPadding1D": SequenceArguments.zeroPadding1D,
        "Cropping1D": SequenceArguments.cropping1D,
        "UpSampling1D": RearrangingArguments.upSampling1D,
        "Permute": RearrangingArguments.permute,
        "RepeatVector": RearrangingArguments.repeatVector,
        "Conv2D": ConvolutionArguments.conv2D,
        "DepthwiseConv2D": ConvolutionArguments.depthwiseConv2D,
        "SeparableConv2D": ConvolutionArguments.separableConv2D,
        "Conv2DTranspose": ConvolutionArguments.conv2DTranspose,
        "MaxPooling2D": PoolingArguments.maxPooling2D,
        "AveragePooling2D": PoolingArguments.averagePooling2D,
        "GlobalAveragePooling2D": PoolingArguments.globalAveragePooling2D,
        "GlobalMaxPooling2D": PoolingArguments.globalMaxPooling2D,
        "Flatten": ReshapingArguments.flatten,
        "ZeroPadding2D": ReshapingArguments.zeroPadding2D,
        "Cropping2D": ReshapingArguments.cropping2D,
        "UpSampling2D": ReshapingArguments.upSampling2D,
        "Resizing": ReshapingArguments.resizing,
        "CenterCrop": ReshapingArguments.centerCrop,
        "Reshape": ReshapingArguments.reshape,
        "Rescaling": ScalingArguments.rescaling,
        "Normalization": ScalingArguments.normalization,
        "Dense": DenseArguments.dense,
        "Dropout": ElementwiseArguments.dropout,
        "Activation": ElementwiseArguments.activation,
        "ReLU": ElementwiseArguments.relu,
        "LeakyReLU": ElementwiseArguments.leakyReLU,
        "ELU": ElementwiseArguments.elu,
        "Softmax": ElementwiseArguments.softmax,
        "BatchNormalization": NormalizationArguments.batchNormalization,
        "LayerNormalization": NormalizationArguments.layerNormalization,
        "PReLU": ElementwiseArguments.prelu,
        LayerScaleConfig.className: ScalingArguments.layerScale,
        "GaussianNoise": InferenceIdentityArguments.gaussianNoise,
        "GaussianDropout": InferenceIdentityArguments.gaussianDropout,
        "SpatialDropout2D": InferenceIdentityArguments.spatialDropout2D,
        "SpatialDropout1D": InferenceIdentityArguments.spatialDropout1D,
        "ActivityRegularization": InferenceIdentityArguments.activityRegularization,
        "Identity": InferenceIdentityArguments.identity,
    ].merging(RandomImageArguments.decoders) { first, _ in first }

    static let supportedClasses = decoders.keys.sorted()

    /// Classes that read several tensors: a graph names them with `inputs:`.
    static let mergeClasses: Set<String> = Set(MergeArguments.decoders.keys).union(["Concatenate"])

    /// Keras layers a user may reasonably write that cnnc does not compile yet:
    /// named as unsupported rather than unknown.
    static let kerasClassesNotSupported: Set<String> = [
        "Conv3D", "Conv1DTranspose", "SeparableConv1D", "DepthwiseConv1D",
        "GroupNormalization",
        "LSTM", "GRU", "SimpleRNN", "Embedding",
        "Lambda", "Attention", "MultiHeadAttention",
        "Dot", "SpatialDropout3D", "UnitNormalization",
        "RandomCrop", "RandomGrayscale", "RandomHue", "RandomSaturation", "RandomSharpness", "RandomShear",
    ]

    /// What computes an unsupported layer's result with what cnnc has, for its message.
    static let workarounds: [String: String] = [
        "Lambda": "it holds Python code, which cnnc does not run: write its computation with layers "
            + "(tf.keras's InceptionResNetV2 scales its branches in Lambdas; Keras 3 builds it with CustomScaleLayer, which cnnc compiles)",
    ]

    /// Arguments every layer accepts: its name, and keys that change nothing cnnc computes.
    static func readCommonArguments(_ reader: inout ArgumentReader) {
        reader.ignore("name", "trainable")
        if let dtype = reader.value("dtype"), let problem = DTypeArgument.problem(dtype) {
            reader.error(problem, at: dtype.location)
        }
    }
}
