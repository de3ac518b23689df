/// A model as written, before checking: the input shape, and each layer's
/// class and raw arguments (Keras's keyword names) with their locations.
/// Both front ends (cnnc's YAML/JSON spec and Keras's `to_json()`) produce it.
public struct ModelSpec: Sendable {
    public enum Format: String, Sendable {
        case cnncSpec = "cnnc spec"
        case keras3JSON = "Keras 3 JSON"
        case keras2JSON = "Keras 2 JSON"
    }

    public var file: String
    public var format: Format
    /// The model's name; nil means Keras's default, `sequential`.
    public var name: String?
    /// One sample's shape without the batch axis, once it has been read.
    public var inputShape: [Int]?
    /// Whether the file gave an input shape at all (even an unreadable one,
    /// which has already been reported).
    public var inputShapeGiven = false
    /// False when the file's overall structure could not be read (not a
    /// mapping, not a Sequential model): the error said so, and checking the
    /// parts that could not be found would only repeat it.
    public var isReadable = true
    /// Where the input shape was given, or the top of the file when it is missing.
    public var inputShapeLocation: SourceLocation
    public var layers: [LayerSpec]

    /// A Keras Functional model, a graph: its inputs are `graphInputs`, each
    /// layer may name what it reads (`LayerSpec.inbound`), and `outputs`
    /// names what it returns. False for a Sequential model, the chain from
    /// `inputShape`.
    public var isFunctional = false
    /// Models used as layers of this one, flattened into `layers` (see `NestedModelSpec`).
    public var nestedModels: [NestedModelSpec] = []
    /// A Sequential model flattened into a graph because a model nested in it
    /// is one: Keras still prints it as Sequential.
    public var printsAsSequential = false
    /// A Functional model's inputs, in Keras's order (`input_layers`).
    public var graphInputs: [InputSpec] = []
    /// What a Functional model returns; nil means the last layer's output.
    public var outputs: [TensorName]?
    /// Where `outputs` was written, or the top of the file.
    public var outputsLocation: SourceLocation?
}

/// A tensor named in a graph: the output of the layer (or model input) called
/// `layer`. Keras's `keras_history` adds which call of a shared layer made it
/// (`nodeIndex`) and which of its outputs it is (`tensorIndex`); cnnc's
/// layers are called once and have one output, so both are 0.
public struct TensorName: Sendable {
    public var layer: String
    public var nodeIndex = 0
    public var tensorIndex = 0
    public var location: SourceLocation

    public init(layer: String, nodeIndex: Int = 0, tensorIndex: Int = 0, location: SourceLocation) {
        self.layer = layer
        self.nodeIndex = nodeIndex
        self.tensorIndex = tensorIndex
        self.location = location
    }
}

/// One input of a Functional model: Keras's `InputLayer`.
public struct InputSpec: Sendable {
    public var name: String
    /// One sample's shape; nil when it was missing or unreadable (already reported).
    public var shape: [Int]?
    public var location: SourceLocation
}

/// One layer as written: `Conv2D: {filters: 32, ...}` or a Keras JSON layer object.
public struct LayerSpec: Sendable {
    public var className: String
    /// Where the class name stands: the place a layer-level diagnostic points at.
    public var location: SourceLocation
    public var arguments: [SpecEntry]
    /// In a graph, the tensors it reads, in order; nil means the output of
    /// the layer written before it (or the first input, for the first layer).
    public var inbound: [TensorName]?
    /// How many times a Keras file calls it; more than once shares its weights.
    public var calls = 1
    /// Which call of a shared layer this is: each call is a layer of the spec,
    /// the first (0) holding the weights and the later ones reusing them.
    public var callIndex = 0
    /// A later call's first call: its index in `ModelSpec.layers`.
    public var firstCall: Int?
    /// The spec language's `Call: {layer: encoder}`: the layer it calls again,
    /// which the checker resolves once every layer has its name.
    public var callOf: TensorName?
    /// Set when this is not a layer but a Keras 3 operation on a tensor in a
    /// Functional model (`x + 3.0` is `keras.src.ops.numpy.Add`).
    public var operationCall: OperationCall?
    /// The model nested in this one that the layer came from (an index into
    /// `ModelSpec.nestedModels`, the outermost one when models nest deeper).
    public var nestedModel: Int?

    /// The `name` its arguments give, if any.
    public var name: String? { arguments.first { $0.key == "name" }?.value.string }

    public init(className: String, location: SourceLocation, arguments: [SpecEntry], inbound: [TensorName]? = nil) {
        self.className = className
        self.location = location
        self.arguments = arguments
        self.inbound = inbound
    }
}

/// An operation as a Functional model's JSON records it: Keras 3's module
/// (`keras.src.ops.numpy`, the class name saying which), or nil for tf.keras's
/// `TFOpLambda` (its config's `function` saying which), and the arguments of
/// its one call in order, a tensor (nil) or a value (`3.0`) each.
public struct OperationCall: Sendable {
    public var module: String?
    public var arguments: [SpecValue?]
}

/// A Keras model used as a layer of another: `Sequential([base, pooling,
/// head])` or `base(x)` in a Functional model, as transfer learning builds
/// them. cnnc flattens its layers into the outer model, where they keep
/// Keras's names; this keeps what Keras's summary prints of it, one row.
public struct NestedModelSpec: Sendable {
    public var name: String
    /// `Functional` or `Sequential`, as Keras 3 prints the row.
    public var className: String
    public var location: SourceLocation
    /// The tensors of the outer model it is called on.
    public var inbound: [TensorName]
    /// Its output: a tensor of its own layers (or one it was called on).
    public var output: TensorName
    /// Which call of the model this is: a model called on two inputs (a
    /// Siamese tower) is one entry per call, the later ones sharing the
    /// first's weights as a shared layer's calls do.
    public var callIndex = 0
    /// A later call's first call: its index in `ModelSpec.nestedModels`.
    public var firstCall: Int?
    /// The node index the file gives the model's first call where a layer
    /// reads it: 0 in Keras 3, 1 in tf.keras (whose node 0 is the model's own graph).
    public var firstNode = 0
    /// The same in `output_layers`: 1 for a Functional model in Keras 3 too,
    /// whose `get_config` counts its built-in node there (and `from_config`
    /// takes 1 off), 0 for a Keras 3 Sequential.
    public var outputFirstNode = 0
}
