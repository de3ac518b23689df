/// One named weight tensor of a model: its Keras name (`conv1.kernel`), its
/// shape in Keras's layout, and where it starts in the model's one
/// contiguous parameter buffer.
public struct TensorLayout: Sendable, Hashable, Codable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// The value Keras gives every element of a new model's tensor when it is
    /// not its class's default (LayerScale's gamma: `init_values`);
    /// nil for the defaults `KerasInitializers` knows by name.
    public let initialValue: Float?

    public init(name: String, shape: [Int], offset: Int, initialValue: Float? = nil) {
        self.name = name
        self.shape = shape
        self.offset = offset
        self.initialValue = initialValue
    }

    public var count: Int { shape.reduce(1, *) }

    /// `(5, 5, 3, 8)`, as numpy prints shapes.
    public var shapeText: String { TensorLayout.shapeText(shape) }

    public static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
