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
    /// non-trainable and keeps them fixed in `fit`; a frozen
    /// BatchNormalization also runs in inference mode there, normalizing
    /// with its moving statistics and leaving them as they are.
    public var frozen = false
    /// The nested model it came from (an index into `CheckedModel.nestedModels`).
    public var nestedModel: Int?
    /// A later call of a layer called more than once (Keras's shared layer):
    /// the index of its first call, whose weights it computes with. Its own
    /// parameter counts are 0, so the model's totals count the weights once.
    public var sharesWeightsOf: Int?
    /// Which call of its layer this is (Keras's node index: `encoder[1][0]`).
    public var callIndex = 0
    /// A merge Keras 3 recorded as an operation on tensors rather than a
    /// layer (`inputs + x` is `keras.src.ops.numpy.Add`), exported as one.
    public var writtenAsOperation = false

    /// What `cnnc verify` and `--dump-layers` call this node's output: the
    /// layer's name, and a later call of a shared layer `encoder[1]`.
    public var descriptionName: String { callIndex == 0 ? name : "\(name)[\(callIndex)]" }

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
    /// Which Keras model class it is: the summary and the export follow it.
    public var kind: ModelKind = .sequential
    /// Models used as layers of this one, whose layers are flattened into
    /// `layers`: the summary prints each as one row, as Keras does.
    public var nestedModels: [NestedModel] = []
    /// A Sequential model that became a graph when a nested model was
    /// flattened into it: Keras prints it as Sequential.
    public var printsAsSequential = false

    /// The shape of one of the model's tensors.
    public func shape(of tensor: TensorReference) -> TensorShape {
        switch tensor {
        case .input(let index): inputs[index].shape
        case .layer(let index): layers[index].outputShape
        }
    }

    /// The name of the input or layer that makes a tensor.
    public func name(of tensor: TensorReference) -> String {
        switch tensor {
        case .input(let index): inputs[index].name
        case .layer(let index): layers[index].name
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

    /// The most activation memory alive at once while the layers run in
    /// order, in float32 bytes for one sample: each tensor lives from the
    /// layer that computes it (or the start, for inputs) to its last reader
    /// (or the end, for outputs). For a chain, the largest input plus output
    /// of one layer.
    public var peakActivationBytes: Int {
        func bytes(_ tensor: TensorReference) -> Int { shape(of: tensor).elementCount * 4 }
        var lastRead: [TensorReference: Int] = [:]
        for (index, layer) in layers.enumerated() {
            for tensor in layer.inputs { lastRead[tensor] = index }
        }
        for output in outputs { lastRead[output] = layers.count }
        var alive = inputs.indices.reduce(0) { $0 + bytes(.input($1)) }
        var peak = alive
        for index in layers.indices {
            alive += bytes(.layer(index))
            peak = max(peak, alive)
            for tensor in Set(layers[index].inputs + [.layer(index)]) where lastRead[tensor, default: index] <= index {
                alive -= bytes(tensor)
            }
        }
        return peak
    }

    /// The rows Keras's summary prints, in order: for a Functional model the
    /// inputs (`InputLayer` rows) among the layers, as `KerasGraphOrder` places them.
    public var summaryRows: [TensorReference] {
        guard kind == .functional else { return layers.indices.map { .layer($0) } }
        return graphOrder.order.map { $0 < inputs.count ? .input($0) : .layer($0 - inputs.count) }
    }

    /// `model.layers` as `cnnc export` writes them (the config's `layers`, and
    /// the weights file's places): `summaryRows` without the later calls of a
    /// shared layer, which are calls of the first, not layers of their own.
    public var exportedRows: [TensorReference] {
        summaryRows.filter { row in
            if case .layer(let index) = row { layers[index].sharesWeightsOf == nil } else { true }
        }
    }

    /// Whether Keras prints the summary with Sequential's three columns
    /// (no `Connected to`): a Sequential model, or a Functional one that is a chain.
    public var isSequentialLike: Bool {
        guard nestedModels.isEmpty, !hasSharedLayers else { return foldedIsSequentialLike }
        return kind == .sequential || graphOrder.isSequentialLike(reads: nodeReads)
    }

    /// Inputs then layers as the nodes of one graph, each listing the nodes it reads.
    private var nodeReads: [[Int]] {
        Array(repeating: [], count: inputs.count) + layers.map { $0.inputs.map(node) }
    }

    private func node(_ tensor: TensorReference) -> Int {
        switch tensor {
        case .input(let index): index
        case .layer(let index): inputs.count + index
        }
    }

    private var graphOrder: KerasGraphOrder {
        // A checked model is acyclic, so the walk cannot fail; the fallback keeps the stored order.
        let count = inputs.count + layers.count
        let stored = KerasGraphOrder(order: Array(0..<count), depth: Array((0..<count).reversed()), reached: [], topological: [])
        return (try? KerasGraphOrder.compute(reads: nodeReads, inputs: Array(inputs.indices), outputs: outputs.map(node)).get()) ?? stored
    }
}

/// The Keras model class a checked model prints and exports as.
public enum ModelKind: String, Hashable, Sendable, Codable {
    /// `keras.Sequential`: a chain, no InputLayer row in the summary.
    case sequential
    /// `keras.Model(inputs, outputs)`: a graph.
    case functional
}

/// A model used as a layer of another (see `NestedModelSpec`): its layers
/// are the model's layers marked with its index.
public struct NestedModel: Hashable, Sendable {
    public var name: String
    /// `Functional` or `Sequential`, as Keras prints the row.
    public var className: String
    /// The tensors it is called on.
    public var inputs: [TensorReference]
    public var output: TensorReference
    /// Which call of the model this is (`tower[1][0]`).
    public var callIndex = 0
    /// A later call's first call, an index into `CheckedModel.nestedModels`;
    /// its layers share the first call's weights.
    public var firstCall: Int?
}
