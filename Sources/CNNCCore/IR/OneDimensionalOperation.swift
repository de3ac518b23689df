/// Keras's layers over sequences, one sample shaped (steps, channels):
/// Conv1D, the 1D poolings, ZeroPadding1D, Cropping1D and UpSampling1D. Each computes what
/// its 2D counterpart computes over a (1, steps, channels) image, which has
/// the same memory layout, with a (1, k) window: the plan stage lowers them
/// to it (`CheckedModel.loweredToImages`), and the stages the user sees
/// (check, summary, export, verify) keep Keras's 1D names, arguments and shapes.
public enum OneDimensionalOperation: Hashable, Sendable, Codable {
    case conv1D(Conv1DConfig)
    case maxPooling1D(Pooling1DConfig)
    case averagePooling1D(Pooling1DConfig)
    case globalAveragePooling1D(GlobalPoolingConfig)
    case globalMaxPooling1D(GlobalPoolingConfig)
    /// Zeros before and after the steps (`left` and `right` of a `Padding2D` of no rows).
    case zeroPadding1D(Padding2D)
    /// Steps cut from the start and the end (`left` and `right`).
    case cropping1D(Padding2D)
    /// Every step repeated `size` times in a row.
    case upSampling1D(size: Int)

    /// The 2D operation that computes it over a (1, steps, channels) image.
    /// Causal padding is `padding` that the checker resolved (all on the left).
    public var lowered: LayerOperation {
        switch self {
        case .conv1D(let c):
            .conv2D(Conv2DConfig(filters: c.filters, kernelSize: Size2D(1, c.kernelSize), strides: Size2D(1, c.strides),
                                 padding: c.padding == .valid ? .valid : .same, dilationRate: Size2D(1, c.dilationRate),
                                 useBias: c.useBias, activation: c.activation))
        case .maxPooling1D(let c): .maxPooling2D(c.lowered)
        case .averagePooling1D(let c): .averagePooling2D(c.lowered)
        case .globalAveragePooling1D(let c): .globalAveragePooling2D(c)
        case .globalMaxPooling1D(let c): .globalMaxPooling2D(c)
        case .zeroPadding1D(let padding): .zeroPadding2D(padding)
        case .cropping1D(let cropping): .cropping2D(cropping)
        // Keras's UpSampling1D repeats steps: nearest over the columns of a (1, steps, channels) image.
        case .upSampling1D(let size): .upSampling2D(UpSampling2DConfig(size: Size2D(1, size), interpolation: .nearest))
        }
    }
}

/// Conv1D's `padding`: Keras's two of Conv2D, and `causal`, which pads
/// dilation·(k − 1) steps before the sequence and none after, so that an
/// output step reads no later input step.
public enum Padding1DMode: String, Hashable, Sendable, Codable, CaseIterable {
    case valid, same, causal
}

public struct Conv1DConfig: Hashable, Sendable, Codable {
    public var filters: Int
    public var kernelSize: Int
    public var strides: Int
    public var padding: Padding1DMode
    public var dilationRate: Int
    public var useBias: Bool
    public var activation: Activation
}

public struct Pooling1DConfig: Hashable, Sendable, Codable {
    public var poolSize: Int
    public var strides: Int
    public var padding: PaddingMode

    var lowered: Pooling2DConfig {
        Pooling2DConfig(poolSize: Size2D(1, poolSize), strides: Size2D(1, strides), padding: padding)
    }
}
