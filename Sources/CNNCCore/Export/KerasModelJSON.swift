import Foundation

/// A checked model as Keras 3's `model.to_json()` writes it, so the model can
/// be rebuilt in Keras (`keras.models.model_from_json`) and trained there, for
/// instance on Keras's distribution API, then come back for compiled inference.
/// Every layer's config lists what Keras's own `get_config()` lists, with
/// Keras's default initializers; arguments that Keras would need but cnnc
/// does not model (regularizers, constraints) are their defaults, null.
public enum KerasModelJSON {
    public static func text(for model: CheckedModel) -> String {
        let document = object(for: model)
        // Both options are deterministic: the same model always gives the same bytes.
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]),
              let text = String(data: data, encoding: .utf8) else {
            return "{}"  // unreachable: the document holds only strings, numbers, booleans, arrays, objects and nulls
        }
        return text + "\n"
    }

    /// The JSON document as Foundation objects (NSNull for null).
    public static func object(for model: CheckedModel) -> [String: Any] {
        let batchShape: [Any] = [NSNull()] + model.inputShape.dimensions
        let input: [String: Any] = [
            "module": "keras.layers", "class_name": "InputLayer", "registered_name": NSNull(),
            "config": ["batch_shape": batchShape, "dtype": "float32", "sparse": false, "ragged": false,
                       "name": "input_layer", "optional": false] as [String: Any],
        ]
        return [
            "module": "keras", "class_name": "Sequential", "registered_name": NSNull(),
            "config": ["name": model.name, "trainable": true, "dtype": dtypePolicy,
                       "layers": [input] + model.layers.map(layer), "build_input_shape": batchShape] as [String: Any],
            "build_config": ["input_shape": batchShape],
            "compile_config": [String: Any](),
        ]
    }

    static func layer(_ layer: CheckedLayer) -> [String: Any] {
        var config: [String: Any] = ["name": layer.name, "trainable": !layer.frozen, "dtype": dtypePolicy]
        config.merge(KerasLayerConfig.arguments(of: layer)) { $1 }
        if layer.className == "SpatialDropout2D" {
            // Keras 3.15's SpatialDropout2D writes its own short config: dtype as a plain string, no `trainable`.
            config["dtype"] = "float32"
            config["trainable"] = nil
        }
        var object: [String: Any] = ["module": "keras.layers", "class_name": layer.className, "config": config, "registered_name": NSNull()]
        if KerasLayerConfig.hasBuildConfig(layer.operation) {
            object["build_config"] = ["input_shape": [NSNull()] + layer.inputShape.dimensions]
        }
        return object
    }

    static var dtypePolicy: [String: Any] {
        ["module": "keras", "class_name": "DTypePolicy", "config": ["name": "float32"], "registered_name": NSNull()]
    }
}
