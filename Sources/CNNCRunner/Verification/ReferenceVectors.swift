import CNNCRuntime
import CNNCTraining

/// Keras's outputs of every layer for a few inputs, read from a safetensors
/// file that `Tools/keras-export/export_keras_model.py --reference` writes
/// (or that `cnnc predict --dump-layers` writes): a tensor `__input__` of
/// shape (N, …input) and one tensor per layer under its Keras name.
public struct ReferenceVectors: Sendable {
    public static let inputName = "__input__"
    public static let format = "cnnc-layers-1"

    public var sampleCount: Int
    public var input: [Float]
    /// Each layer's tensor, by Keras layer name.
    public var layers: [String: SafeTensors.Tensor]
    /// Who made it: Keras and backend versions, source.
    public var metadata: [String: String]

    /// Reads `path` and checks that it describes `Model`: same input shape
    /// and the same layer names (shapes are compared layer by layer later,
    /// so a mismatch is reported with both shapes).
    public init<Model: CompiledModel>(contentsOf path: String, for model: Model.Type) throws(RuntimeError) {
        try self.init(tensors: SafeTensors.read(path: path, kind: "reference"), path: path, for: model)
    }

    /// The same checks over tensors already in memory.
    public init<Model: CompiledModel>(tensors file: SafeTensors, path: String = "the reference", for model: Model.Type) throws(RuntimeError) {
        guard let input = file.tensors[Self.inputName] else {
            throw RuntimeError("\(path): not a layer reference file (it has no '\(Self.inputName)' tensor); make one with Tools/keras-export/export_keras_model.py --reference, or cnnc predict --dump-layers")
        }
        guard input.shape.count == Model.inputShape.count + 1, Array(input.shape.dropFirst()) == Model.inputShape else {
            throw RuntimeError("\(path): the reference is from another model: its inputs have shape \(TensorLayout.shapeText(input.shape)); this model takes (N, \(Model.inputShape.map(String.init).joined(separator: ", ")))")
        }
        var layers = file.tensors
        layers[Self.inputName] = nil
        let ours = Model.layers.map(\.name)
        let missing = ours.filter { layers[$0] == nil }
        let extra = layers.keys.sorted().filter { !ours.contains($0) }
        if !missing.isEmpty || !extra.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("layers missing from the reference: \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("layers this model does not have: \(extra.joined(separator: ", "))") }
            throw RuntimeError("\(path): the reference is from another model (its layer names differ): \(parts.joined(separator: "; ")). This model's layers are: \(ours.joined(separator: ", "))")
        }
        self.sampleCount = input.shape[0]
        self.input = input.values
        self.layers = layers
        self.metadata = file.metadata
    }
}
