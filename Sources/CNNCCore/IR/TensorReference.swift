/// An edge of the model graph: which tensor a layer reads or the model
/// returns. Every tensor is one of the model's inputs or one layer's output
/// (the layers of cnnc's graphs each have one output, as every CNN layer of
/// Keras does).
public enum TensorReference: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The model's input at this position of `CheckedModel.inputs`.
    case input(Int)
    /// The output of the layer at this position of `CheckedModel.layers`.
    case layer(Int)

    /// `input 0`, `layer 3`: for plans and messages.
    public var description: String {
        switch self {
        case .input(let index): "input \(index)"
        case .layer(let index): "layer \(index)"
        }
    }
}

/// One of the model's inputs: Keras's `InputLayer`.
public struct ModelInput: Hashable, Sendable {
    /// Keras's name for it (`input_layer` unless the file names it).
    public var name: String
    public var shape: TensorShape
    public var location: SourceLocation

    public init(name: String, shape: TensorShape, location: SourceLocation) {
        self.name = name
        self.shape = shape
        self.location = location
    }
}
