/// How a compiled model lays out one sample's inputs, or its outputs, in one
/// flat buffer: each tensor after the one before it, in the model's order of
/// inputs (or outputs). A model of one input takes it as it is, so the
/// packed form changes nothing for the models users had before graphs; a
/// model of several takes them packed, and `cnnc predict` packs the `.npy`
/// arrays it is given by name (and unpacks the outputs) in this layout.
public struct SampleLayout: Hashable, Sendable, Codable {
    public struct Slot: Hashable, Sendable, Codable {
        /// Keras's name: the input's, or the layer's whose output it is.
        public var name: String
        public var shape: TensorShape
        /// Where it starts in the packed sample, in floats.
        public var offset: Int
    }

    public var slots: [Slot]

    public init(_ tensors: [(name: String, shape: TensorShape)]) {
        var offset = 0
        slots = tensors.map { tensor in
            defer { offset += tensor.shape.elementCount }
            return Slot(name: tensor.name, shape: tensor.shape, offset: offset)
        }
    }

    /// Floats in one packed sample.
    public var count: Int { slots.reduce(0) { $0 + $1.shape.elementCount } }

    /// The shape a compiled model states for one sample: the tensor's own for
    /// one tensor, the flat packed vector for several.
    public var packedShape: TensorShape {
        slots.count == 1 ? slots[0].shape : TensorShape([count])
    }

    /// `(None, 28, 28, 1)`, or `image (None, 10, 10, 1), measurements (None, 6)`: for comments.
    public var description: String {
        slots.count == 1 ? "\(slots[0].shape)" : slots.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
    }
}

extension CheckedModel {
    /// The model's inputs as a compiled model takes them.
    public var inputLayout: SampleLayout { SampleLayout(inputs.map { ($0.name, $0.shape) }) }

    /// The model's outputs as a compiled model returns them, named as Keras's
    /// `output_names` does: after the layers (or inputs) that make them, or
    /// the nested model whose call does (not the layer inside it).
    public var outputLayout: SampleLayout { SampleLayout(outputs.map { (summaryName(of: $0), shape(of: $0)) }) }
}
