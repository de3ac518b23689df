/// A layer after checking, a node of the model graph: its resolved name,
/// what it computes, the tensors it reads, the shapes on either side, its
/// parameter and FLOP counts, and where the spec wrote it.
public struct CheckedLayer: Hashable, Sendable, Codable {
    public var name: String
    /// Keras's class name (`Conv2D`), shown by the summary as `name (Conv2D)`.
    public var className: String
    public var operation: LayerOperation
    /// The tensors it reads, in order: model inputs or earlier layers' outputs.
    public var inputs: [TensorReference]
    /// The shape of its (first) input.
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

/// The checked model: the one value the summary printer, the exporter and
/// the planner read. A directed acyclic graph of layers over named tensors:
/// `layers` in an order where every layer comes after the layers it reads
/// (a Sequential model is the chain), and `outputs` the tensors the model
/// returns. Every size in it is known and fits in an `Int`.
public struct CheckedModel: Hashable, Sendable {
    public var name: String
    public var inputs: [ModelInput]
    public var layers: [CheckedLayer]
    public var outputs: [TensorReference]
    /// The spec file the model came from.
    public var sourceFile: String
    /// Notes for the user that are not errors (a training-only layer compiled as identity).
    public var notes: [Diagnostic] = []

    /// The shape of one of the model's tensors.
    public func shape(of tensor: TensorReference) -> TensorShape {
        switch tensor {
        case .input(let index): inputs[index].shape
        case .layer(let index): layers[index].outputShape
        }
    }

    /// The first input's shape: every stage after checking takes one input today.
    public var inputShape: TensorShape { inputs[0].shape }
    /// The first output's shape.
    public var outputShape: TensorShape { shape(of: outputs[0]) }
    public var trainableParameters: Int { layers.reduce(0) { $0 + $1.trainableParameters } }
    public var nonTrainableParameters: Int { layers.reduce(0) { $0 + $1.nonTrainableParameters } }
    public var parameters: Int { trainableParameters + nonTrainableParameters }
    public var flops: Int { layers.reduce(0) { $0 + $1.flops } }

    /// Whether the graph is a chain: one input, each layer reading the one
    /// before it, the last layer's output returned. The code generator
    /// compiles chains (graphs with branches and merges are checked and
    /// summarized, not yet compiled).
    public var isChain: Bool {
        guard inputs.count == 1, outputs == [layers.isEmpty ? .input(0) : .layer(layers.count - 1)] else { return false }
        return layers.indices.allSatisfy { layers[$0].inputs == [$0 == 0 ? .input(0) : .layer($0 - 1)] }
    }

    /// The most activation memory any one layer needs at once: its input and its
    /// output both alive, in float32 bytes, for one sample.
    public var peakActivationBytes: Int {
        layers.map { $0.inputShape.elementCount * 4 + $0.activationBytes }.max() ?? inputShape.elementCount * 4
    }
}
