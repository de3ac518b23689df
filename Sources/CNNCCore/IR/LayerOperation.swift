/// What a layer computes, with its arguments resolved to Keras's defaults.
/// The code generator switches over this; nothing here depends on the input.
public enum LayerOperation: Hashable, Sendable {
    case conv2D(Conv2DConfig)
    case maxPooling2D(Pooling2DConfig)
    case averagePooling2D(Pooling2DConfig)
    case globalAveragePooling2D(GlobalPoolingConfig)
    case globalMaxPooling2D(GlobalPoolingConfig)
    case flatten
    case dropout(DropoutConfig)
    case dense(DenseConfig)
    case activation(Activation)
    case relu(ReLUConfig)
    case softmax
    case batchNormalization(BatchNormalizationConfig)
    case zeroPadding2D(Padding2D)
    /// A layer that changes nothing at inference (GaussianNoise, GaussianDropout,
    /// SpatialDropout2D, ActivityRegularization): compiled as identity. Its
    /// arguments are kept only to write the model back out for Keras.
    case identityAtInference(TrainingOnlyArguments)
}

/// The numeric arguments of a layer that acts only in training (`stddev`,
/// `rate`, `l1`, `l2`), by Keras's names.
public struct TrainingOnlyArguments: Hashable, Sendable, Codable {
    public var values: [String: Double]

    public init(_ values: [String: Double]) { self.values = values }
}

public struct Conv2DConfig: Hashable, Sendable, Codable {
    public var filters: Int
    public var kernelSize: Size2D
    public var strides: Size2D
    public var padding: PaddingMode
    public var dilationRate: Size2D
    public var useBias: Bool
    public var activation: Activation
}

public struct Pooling2DConfig: Hashable, Sendable, Codable {
    public var poolSize: Size2D
    public var strides: Size2D
    public var padding: PaddingMode
}

public struct GlobalPoolingConfig: Hashable, Sendable, Codable {
    /// Keep the pooled axes as 1x1 (`keepdims: true`) instead of dropping them.
    public var keepdims: Bool
}

public struct DropoutConfig: Hashable, Sendable, Codable {
    public var rate: Double
}

public struct DenseConfig: Hashable, Sendable, Codable {
    public var units: Int
    public var useBias: Bool
    public var activation: Activation
}

/// Keras's ReLU layer: `max(x, 0)` by default, with an optional cap
/// (`max_value: 6` is ReLU6), a slope below the threshold, and a threshold.
public struct ReLUConfig: Hashable, Sendable, Codable {
    public var maxValue: Double?
    public var negativeSlope: Double
    public var threshold: Double
}

/// BatchNormalization over the last axis. `center` adds beta, `scale` gamma;
/// momentum weights the old moving statistics (Keras's rule, not PyTorch's).
public struct BatchNormalizationConfig: Hashable, Sendable, Codable {
    public var momentum: Double
    public var epsilon: Double
    public var center: Bool
    public var scale: Bool
}
