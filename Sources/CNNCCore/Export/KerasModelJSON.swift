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

    /// The `config.json` of a `.keras` file: the same document, for a model
    /// that was never compiled (a null `compile_config`, so Keras's loader
    /// neither compiles it nor looks for an optimizer's state).
    public static func archiveConfigText(for model: CheckedModel) -> String {
        var document = object(for: model)
        document["compile_config"] = NSNull()
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8) else {
            return "{}"  // unreachable, as in `text(for:)`
        }
        return text
    }

    /// The JSON document as Foundation objects (NSNull for null).
    public static func object(for model: CheckedModel) -> [String: Any] {
        if model.kind == .functional { return functionalObject(for: model) }
        let batchShape: [Any] = [NSNull()] + model.inputShape.dimensions
        let input = inputLayer(ModelInput(name: KerasNaming.defaultInputName, shape: model.inputShape, location: model.inputs[0].location))
        return [
            "module": "keras", "class_name": "Sequential", "registered_name": NSNull(),
            "config": ["name": model.name, "trainable": true, "dtype": dtypePolicy,
                       "layers": [input] + model.layers.map { layer($0) }, "build_input_shape": batchShape] as [String: Any],
            "build_config": ["input_shape": batchShape],
            "compile_config": [String: Any](),
        ]
    }

    /// A Functional model: every layer object also names itself and lists
    /// its call (`inbound_nodes`), the tensors it was given with their shapes.
    static func functionalObject(for model: CheckedModel) -> [String: Any] {
        func tensor(_ reference: TensorReference) -> [String: Any] {
            ["class_name": "__keras_tensor__",
             "config": ["shape": [NSNull()] + model.shape(of: reference).dimensions, "dtype": "float32",
                        "keras_history": [model.name(of: reference), callIndex(reference), 0]] as [String: Any]]
        }
        // Which call of its layer made a tensor (a shared layer's later calls count from 1).
        func callIndex(_ reference: TensorReference) -> Int {
            if case .layer(let index) = reference { model.layers[index].callIndex } else { 0 }
        }
        // One tensor is written alone and several as one list, as Keras 3 does.
        func triples(_ references: [TensorReference]) -> [Any] {
            let all = references.map { [model.name(of: $0), callIndex($0), 0] as [Any] }
            return all.count == 1 ? all[0] : all
        }
        let rows = model.exportedRows
        let layers = rows.map { row -> [String: Any] in
            switch row {
            case .input(let index):
                var object = inputLayer(model.inputs[index])
                object["name"] = model.inputs[index].name
                object["inbound_nodes"] = [Any]()
                return object
            case .layer(let index):
                let checked = model.layers[index]
                if case .rescaling(let config) = checked.operation, let written = config.writtenAs {
                    return operation(written, named: checked.name, reading: tensor(checked.inputs[0]))
                }
                if checked.writtenAsOperation, case .merge(let merge) = checked.operation {
                    return operation(merge.className, named: checked.name, arguments: checked.inputs.map(tensor))
                }
                var object = layer(checked, inputShapes: checked.inputs.map(model.shape(of:)))
                object["name"] = checked.name
                let isMerge = LayerCatalog.mergeClasses.contains(checked.className)
                func arguments(_ call: CheckedLayer) -> [Any] { isMerge ? [call.inputs.map(tensor)] : call.inputs.map(tensor) }
                // What Keras records of the call: the mask (none given) of BatchNormalization
                // and GlobalAveragePooling1D, which take one, and the `training: false`
                // default of Dropout and the noise layers.
                let keywords: [String: Any] = switch checked.operation {
                case .batchNormalization, .oneDimensional(.globalAveragePooling1D): ["mask": NSNull()]
                case .dropout: ["training": false]
                // An augmentation layer's `call` defaults to training=True, which Keras records.
                case .identityAtInference(.randomImage): ["training": true]
                case .identityAtInference(let operation): operation.isRandom ? ["training": false] : [:]
                default: [:]
                }
                object["inbound_nodes"] = model.calls(of: index).map { call in
                    ["args": arguments(model.layers[call]), "kwargs": keywords] as [String: Any]
                }
                return object
            }
        }
        return [
            "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "config": ["name": model.name, "trainable": true, "layers": layers,
                       "input_layers": triples(model.inputs.indices.map { .input($0) }),
                       "output_layers": triples(model.outputs)] as [String: Any],
            "build_config": ["input_shape": NSNull()],
            "compile_config": [String: Any](),
        ]
    }

    /// A Keras 3 operation on a tensor and a number, as Keras records it:
    /// no layer config, the number among the call's arguments.
    static func operation(_ written: ArithmeticOperation, named name: String, reading tensor: [String: Any]) -> [String: Any] {
        var arguments: [Any] = [tensor]
        if let number = written.number {
            // JSONSerialization writes 3.0 as 3, which Keras reads back to the same sum.
            arguments.insert(number, at: written.numberFirst ? 0 : 1)
        }
        return operation(written.kind.rawValue, named: name, arguments: arguments)
    }

    /// A Keras 3 operation called once on these arguments (tensors and numbers, in order).
    static func operation(_ className: String, named name: String, arguments: [Any]) -> [String: Any] {
        ["module": OperationArguments.numpyModule, "class_name": className, "config": ["name": name],
         "registered_name": className, "name": name,
         "inbound_nodes": [["args": arguments, "kwargs": [String: Any]()] as [String: Any]]]
    }

    static func inputLayer(_ input: ModelInput) -> [String: Any] {
        [
            "module": "keras.layers", "class_name": "InputLayer", "registered_name": NSNull(),
            "config": ["batch_shape": [NSNull()] + input.shape.dimensions, "dtype": "float32", "sparse": false, "ragged": false,
                       "name": input.name, "optional": false] as [String: Any],
        ]
    }

    static func layer(_ layer: CheckedLayer, inputShapes: [TensorShape]? = nil) -> [String: Any] {
        var config: [String: Any] = ["name": layer.name, "trainable": !layer.frozen, "dtype": dtypePolicy]
        config.merge(KerasLayerConfig.arguments(of: layer)) { $1 }
        if layer.className == "SpatialDropout2D" || layer.className == "SpatialDropout1D" {
            // Keras 3.15's SpatialDropout layers write their own short config: dtype as a plain string, no `trainable`.
            config["dtype"] = "float32"
            config["trainable"] = nil
        }
        var object: [String: Any] = ["module": "keras.layers", "class_name": layer.className, "config": config, "registered_name": NSNull()]
        // The applications' own classes are not in keras.layers: Keras imports their module to load them.
        if case .merge(.scaledAdd) = layer.operation {
            object["module"] = MergeOperation.customScaleModule
            object["registered_name"] = MergeOperation.customScaleClass
        }
        if case .layerScale = layer.operation {
            object["module"] = LayerScaleConfig.module
            object["registered_name"] = LayerScaleConfig.className
        }
        if KerasLayerConfig.hasBuildConfig(layer.operation) {
            let shapes = (inputShapes ?? [layer.inputShape]).map { [NSNull()] + $0.dimensions as [Any] }
            // A merge layer is built from the list of its input shapes.
            let isMerge = LayerCatalog.mergeClasses.contains(layer.className)
            object["build_config"] = ["input_shape": isMerge ? shapes as Any : shapes[0] as Any]
        }
        return object
    }

    static var dtypePolicy: [String: Any] {
        ["module": "keras", "class_name": "DTypePolicy", "config": ["name": "float32"], "registered_name": NSNull()]
    }
}
