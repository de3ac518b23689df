/// The weight tensors a model's safetensors file holds, by Keras's names and
/// layouts (`conv1.kernel` (kh, kw, cin, cout), `fc.bias` (units,), …), in order.
public enum KerasWeightTensors {
    public static func list(for model: CheckedModel) -> [(name: String, shape: [Int])] {
        WeightPlan(model: model).tensors.map { ($0.name, $0.shape) }
    }
}
