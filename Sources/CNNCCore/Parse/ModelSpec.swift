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
}

/// One layer as written: `Conv2D: {filters: 32, ...}` or a Keras JSON layer object.
public struct LayerSpec: Sendable {
    public var className: String
    /// Where the class name stands: the place a layer-level diagnostic points at.
    public var location: SourceLocation
    public var arguments: [SpecEntry]

    public init(className: String, location: SourceLocation, arguments: [SpecEntry]) {
        self.className = className
        self.location = location
        self.arguments = arguments
    }
}
