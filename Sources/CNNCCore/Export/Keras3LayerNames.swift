/// Layer names Keras 3 accepts. tf.keras allowed '/' in a layer name, and its
/// applications use it (MobileNetV3's `expanded_conv/depthwise`); Keras 3
/// refuses such a name when it builds the layer, so an export of a Keras 2
/// model renames those layers, '/' → '_', or Keras could not load the file.
public struct Keras3LayerNames: Sendable {
    /// Old name → new name, for the layers renamed.
    public let renamed: [String: String]

    /// The names for `model`: a renamed layer takes the next free `_1`, `_2`, …
    /// suffix if another layer or input already has the plain form.
    public init(for model: CheckedModel) {
        var taken = Set(model.inputs.map(\.name) + model.layers.map(\.name))
        var renamed: [String: String] = [:]
        for layer in model.layers where layer.name.contains("/") {
            let plain = String(layer.name.map { $0 == "/" ? "_" : $0 })
            var candidate = plain
            var suffix = 0
            while taken.contains(candidate) {
                suffix += 1
                candidate = "\(plain)_\(suffix)"
            }
            taken.insert(candidate)
            renamed[layer.name] = candidate
        }
        self.renamed = renamed
    }

    /// `model` with its layers renamed (tensors refer to layers by position, so nothing else changes).
    public func apply(to model: CheckedModel) -> CheckedModel {
        var model = model
        for index in model.layers.indices {
            if let name = renamed[model.layers[index].name] { model.layers[index].name = name }
        }
        return model
    }

    /// A weight tensor's name (`layer.weight`) under the layer's new name.
    public func tensorName(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), let layer = renamed[String(name[..<dot])] else { return name }
        return layer + name[dot...]
    }

    /// What the user is told: how many layers, and one example.
    public var note: String? {
        guard let example = renamed.keys.sorted().first, let new = renamed[example] else { return nil }
        return "Keras 3 refuses '/' in a layer name: \(renamed.count) layer\(renamed.count == 1 ? "" : "s") renamed, '/' → '_' (\(example) → \(new))"
    }
}
