/// A layer after checking: its resolved name, what it computes, the shapes on
/// either side, its parameter and FLOP counts, and where the spec wrote it.
public struct CheckedLayer: Hashable, Sendable {
    public var name: String
    /// Keras's class name (`Conv2D`), shown by the summary as `name (Conv2D)`.
    public var className: String
    public var operation: LayerOperation
    public var inputShape: TensorShape
    public var outputShape: TensorShape
    /// Zeros added around the input before the window slides: resolved from
    /// `padding: same` for convolutions and pooling, explicit for ZeroPadding2D,
    /// nil for layers without a spatial window.
    public var padding: Padding2D?
    public var trainableParameters: Int
    public var nonTrainableParameters: Int
    /// Floating-point operations for one sample: 2 × multiply-accumulates of
    /// Conv2D and Dense (the figure GFLOP/s benchmarks divide by); other layers 0.
    public var flops: Int
    public var location: SourceLocation
    /// `trainable: false` in the spec: Keras counts its weights as
    /// non-trainable and keeps them (and a BatchNormalization's statistics)
    /// fixed in `fit`.
    public var frozen = false

    public var parameters: Int { trainableParameters + nonTrainableParameters }

    /// Bytes of this layer's output for one sample, in float32.
    public var activationBytes: Int { outputShape.elementCount * 4 }
}

/// The checked model: the one value the summary printer and the code
/// generator read. Every size in it is known and fits in an `Int`.
public struct CheckedModel: Hashable, Sendable {
    public var name: String
    public var inputShape: TensorShape
    public var layers: [CheckedLayer]
    /// The spec file the model came from.
    public var sourceFile: String
    /// Notes for the user that are not errors (a training-only layer compiled as identity).
    public var notes: [Diagnostic] = []

    public var outputShape: TensorShape { layers.last?.outputShape ?? inputShape }
    public var trainableParameters: Int { layers.reduce(0) { $0 + $1.trainableParameters } }
    public var nonTrainableParameters: Int { layers.reduce(0) { $0 + $1.nonTrainableParameters } }
    public var parameters: Int { trainableParameters + nonTrainableParameters }
    public var flops: Int { layers.reduce(0) { $0 + $1.flops } }

    /// The most activation memory any one layer needs at once: its input and its
    /// output both alive, in float32 bytes, for one sample.
    public var peakActivationBytes: Int {
        layers.map { $0.inputShape.elementCount * 4 + $0.activationBytes }.max() ?? inputShape.elementCount * 4
    }
}
