/// Reads the output of Keras's `model.to_json()`: a Sequential model here,
/// a Functional one in `KerasFunctionalParser`.
///
/// Keras 3 writes every object as `{module, class_name, config, registered_name}`
/// and opens `config.layers` with an `InputLayer` holding `batch_shape`;
/// Keras 2 (tf.keras) has no `module`, and puts `batch_input_shape` on the
/// InputLayer or on the first layer. Layers are dispatched on `class_name`,
/// never on their names; each `config` holds Keras's keyword arguments.
enum KerasJSONParser {
    /// Keys of a serialized object that carry no computation.
    static let objectKeys: Set<String> = ["module", "class_name", "config", "registered_name", "build_config", "compile_config", "name", "inbound_nodes"]
    /// Top-level keys of a Keras 2 file besides the object itself.
    static let fileKeys: Set<String> = ["keras_version", "backend"]

    static func parse(_ root: SpecValue, log: inout DiagnosticLog) -> ModelSpec {
        let isKeras3 = root["module"] != nil
        var spec = ModelSpec(
            file: root.location.file, format: isKeras3 ? .keras3JSON : .keras2JSON,
            name: nil, inputShape: nil, inputShapeLocation: root.location, layers: [])
        for entry in root.entries ?? [] where !objectKeys.contains(entry.key) && !fileKeys.contains(entry.key) {
            log.error("unexpected key '\(entry.key)' in a Keras model file", at: entry.keyLocation)
        }
        let className = root["class_name"]
        let modelClass = className?.string ?? ""
        guard modelClass == "Sequential" || KerasFunctionalParser.modelClasses.contains(modelClass) else {
            let found = className?.string.map { "a '\($0)' model" } ?? "no model class"
            log.error("cnnc reads Keras Sequential and Functional models; this file holds \(found). Build it with keras.Sequential([...]) or keras.Model(inputs, outputs) and save model.to_json() again", at: className?.location ?? root.location)
            spec.isReadable = false
            return spec
        }
        guard let config = root["config"], config.entries != nil else {
            log.error("the \(modelClass) model has no 'config' mapping", at: root.location)
            spec.isReadable = false
            return spec
        }
        if let name = config["name"] {
            if let text = name.string, !text.isEmpty { spec.name = text } else {
                log.error("the model's 'name' must be a non-empty string", at: name.location)
            }
        }
        guard let layerObjects = config["layers"]?.list else {
            log.error("the \(modelClass) model's config has no 'layers' list", at: config.location)
            spec.isReadable = false
            return spec
        }
        if modelClass != "Sequential" {
            KerasFunctionalParser.parse(config, layers: layerObjects, into: &spec, log: &log)
            return spec
        }
        if layerObjects.contains(where: KerasNestedModels.isModel) {
            KerasNestedModels.readSequential(layerObjects, in: config, into: &spec, log: &log)
            return spec
        }
        for object in layerObjects {
            guard let layer = parseLayerObject(object, log: &log) else { continue }
            if layer.className == "InputLayer" {
                let input = readInputLayer(layer, log: &log)
                if let input {
                    spec.inputShapeLocation = input.location
                    spec.inputShapeGiven = true
                    spec.inputShape = input.shape
                }
            } else {
                spec.layers.append(layer)
            }
        }
        if spec.layers.isEmpty {
            log.error("the Sequential model has no layers besides its input", at: config["layers"]?.location ?? config.location)
        }
        // Keras 3 also records the input shape in the model's build_config.
        if spec.inputShape == nil, let built = root["build_config"]?["input_shape"], !built.isNull,
           spec.layers.first.map({ !$0.arguments.contains { InputShapeReader.hasBatchAxis($0.key) || $0.key == "input_shape" } }) ?? true {
            spec.inputShapeLocation = built.location
            spec.inputShapeGiven = true
            spec.inputShape = InputShapeReader.read(built, key: "batch_shape", log: &log)
        }
        return spec
    }

    static func parseLayerObject(_ object: SpecValue, log: inout DiagnosticLog) -> LayerSpec? {
        guard object.entries != nil else {
            log.error("each entry of 'layers' must be a layer object with 'class_name' and 'config', got \(object.typeDescription)", at: object.location)
            return nil
        }
        guard let className = object["class_name"], let name = className.string else {
            log.error("a layer object has no 'class_name' string", at: object.location)
            return nil
        }
        for entry in object.entries ?? [] where !objectKeys.contains(entry.key) {
            log.error("unexpected key '\(entry.key)' in the layer object of class '\(name)'", at: entry.keyLocation)
        }
        let config = object["config"]
        guard let arguments = config?.entries else {
            log.error("the '\(name)' layer object has no 'config' mapping", at: config?.location ?? object.location)
            return nil
        }
        return LayerSpec(className: name, location: className.location, arguments: arguments)
    }

    /// An InputLayer gives a model input its name and shape; nil when it has
    /// no shape at all (reported). A Sequential summary has no row for it.
    static func readInputLayer(_ layer: LayerSpec, log: inout DiagnosticLog) -> InputSpec? {
        var input: InputSpec?
        let name = layer.arguments.first { $0.key == "name" }?.value.string ?? KerasNaming.defaultInputName
        for argument in layer.arguments {
            switch argument.key {
            case "batch_shape", "batch_input_shape", "input_shape":
                input = InputSpec(name: name, shape: InputShapeReader.read(argument.value, key: argument.key, log: &log), location: argument.value.location)
            case "sparse", "ragged", "optional":
                if case .bool(true) = argument.value.kind {
                    log.error("InputLayer '\(argument.key): true' is not supported: cnnc compiles dense float32 tensors", at: argument.value.location)
                }
            case "dtype":
                if let problem = DTypeArgument.problem(argument.value) {
                    log.error("InputLayer: \(problem)", at: argument.value.location)
                }
            case "name", "input_tensor":
                break
            default:
                log.error("unknown InputLayer argument '\(argument.key)'", at: argument.keyLocation)
            }
        }
        if input == nil {
            log.error("the InputLayer has no 'batch_shape' (Keras 3) or 'batch_input_shape' (Keras 2)", at: layer.location)
        }
        return input
    }
}

/// The `dtype` of a layer: cnnc computes in float32 only, so anything else is refused by name.
enum DTypeArgument {
    /// What is wrong with `value` as a dtype, or nil when it is float32 (or unset).
    static func problem(_ value: SpecValue) -> String? {
        let dtype: String?
        switch value.kind {
        case .null: return nil
        case .string(let name): dtype = name
        // Keras 3: {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
        case .map: dtype = value["config"]?["name"]?.string ?? value["name"]?.string
        default: dtype = nil
        }
        guard let dtype else { return "cannot read 'dtype' \(value.sourceText); expected \"float32\"" }
        return dtype == "float32" ? nil : "dtype '\(dtype)' is not supported; cnnc computes in float32"
    }
}
