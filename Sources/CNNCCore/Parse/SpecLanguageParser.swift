/// Reads cnnc's own spec language (YAML or JSON). A Sequential model:
///
///     name: toy_convnet            # optional; Keras's default is "sequential"
///     input_shape: [32, 32, 3]
///     layers:
///       - Conv2D: {filters: 8, kernel_size: 5, activation: relu}
///       - Flatten                  # a layer without arguments may be a bare name
///
/// A graph (a Keras Functional model) names its inputs and outputs, and a
/// layer may name the tensors it reads; without `inputs:` it reads the layer
/// written above it:
///
///     inputs: {image: [32, 32, 3]}
///     layers:
///       - Conv2D: {filters: 16, kernel_size: 3, padding: same, name: stem}
///       - Conv2D: {filters: 16, kernel_size: 3, padding: same, name: branch}
///       - Add: {inputs: [stem, branch]}
///     outputs: [add]
///
/// Layer arguments are Keras's keyword arguments; they are checked later.
enum SpecLanguageParser {
    static let topLevelKeys = ["name", "input_shape", "inputs", "layers", "outputs"]

    static func parse(_ root: SpecValue, log: inout DiagnosticLog) -> ModelSpec {
        var spec = ModelSpec(
            file: root.location.file, format: .cnncSpec, name: nil,
            inputShape: nil, inputShapeLocation: root.location, layers: [])
        guard let entries = root.entries else {
            log.error("a spec must be a mapping with 'input_shape' and 'layers', got \(root.typeDescription)", at: root.location)
            spec.isReadable = false
            return spec
        }
        var sawLayers = false
        var namedInputs: SpecEntry?
        for entry in entries {
            switch entry.key {
            case "name":
                if let name = entry.value.string, !name.isEmpty {
                    spec.name = name
                } else {
                    log.error("'name' must be a non-empty string, got \(entry.value.sourceText)", at: entry.value.location)
                }
            case "input_shape":
                spec.inputShapeLocation = entry.value.location
                spec.inputShapeGiven = true
                spec.inputShape = InputShapeReader.read(entry.value, key: "input_shape", log: &log)
            case "inputs":
                namedInputs = entry
                spec.inputShapeGiven = true
                spec.inputShapeLocation = entry.value.location
                spec.graphInputs = parseInputs(entry.value, log: &log)
            case "outputs":
                spec.outputsLocation = entry.value.location
                spec.outputs = tensorNames(entry.value, key: "outputs", log: &log)
            case "layers":
                sawLayers = true
                spec.layers = parseLayers(entry.value, log: &log)
            default:
                let suggestion = Suggestions.closest(to: entry.key, in: topLevelKeys)
                let didYouMean = suggestion.map { "; did you mean '\($0)'?" } ?? ""
                log.error("unknown key '\(entry.key)' in the spec\(didYouMean) (the keys are: \(topLevelKeys.joined(separator: ", ")))", at: entry.keyLocation)
                // A misspelled key was meant as that key: do not also report it missing.
                if suggestion == "input_shape" || suggestion == "inputs" { spec.inputShapeGiven = true }
                if suggestion == "layers" { sawLayers = true }
            }
        }
        if !sawLayers {
            log.error("the spec has no 'layers' list; add e.g. 'layers: [{Dense: {units: 10}}]'", at: root.location)
        }
        spec.isFunctional = namedInputs != nil || spec.outputs != nil || spec.layers.contains { $0.inbound != nil || $0.className == callClass }
        if let namedInputs, root["input_shape"] != nil {
            log.error("give either 'input_shape' (one input, named input_layer) or 'inputs' (named inputs), not both", at: namedInputs.keyLocation)
        } else if spec.isFunctional, namedInputs == nil {
            // A graph over one unnamed input: Keras names it input_layer.
            spec.graphInputs = [InputSpec(name: KerasNaming.defaultInputName, shape: spec.inputShape, location: spec.inputShapeLocation)]
        }
        return spec
    }

    /// `inputs: {image: [32, 32, 3], measurements: [6]}`: names and shapes, in order.
    private static func parseInputs(_ value: SpecValue, log: inout DiagnosticLog) -> [InputSpec] {
        guard let entries = value.entries, !entries.isEmpty else {
            log.error("'inputs' must map each input's name to its shape, such as '{image: [32, 32, 3]}', got \(value.sourceText)", at: value.location)
            return []
        }
        return entries.map { entry in
            InputSpec(name: entry.key, shape: InputShapeReader.read(entry.value, key: entry.key, log: &log), location: entry.keyLocation)
        }
    }

    /// A tensor name or a list of them (`outputs: [a, b]`, `inputs: stem`).
    private static func tensorNames(_ value: SpecValue, key: String, log: inout DiagnosticLog) -> [TensorName]? {
        let items = value.list ?? [value]
        let names = items.compactMap { item -> TensorName? in
            guard let name = item.string, !name.isEmpty else {
                log.error("'\(key)' must be a layer or input name or a list of them, such as [stem, branch], got \(item.sourceText)", at: item.location)
                return nil
            }
            return tensorName(name, at: item.location)
        }
        if items.isEmpty {
            log.error("'\(key)' names no tensor; give at least one layer or input name", at: value.location)
        }
        return names.count == items.count && !names.isEmpty ? names : nil
    }

    /// `encoder` is a layer's (first) output; `encoder[1]` the output of its
    /// second call, as Keras's summary writes `encoder[1][0]`.
    static func tensorName(_ text: String, at location: SourceLocation) -> TensorName {
        guard text.hasSuffix("]"), let open = text.lastIndex(of: "["), open > text.startIndex,
              let call = Int(text[text.index(after: open)..<text.index(before: text.endIndex)]), call >= 0 else {
            return TensorName(layer: text, location: location)
        }
        return TensorName(layer: String(text[..<open]), nodeIndex: call, location: location)
    }

    /// `Call: {layer: encoder, inputs: right}`: the layer `encoder`, written
    /// earlier, called again on other tensors with the same weights (Keras's
    /// shared layer). Its output is `encoder[1]` (`[2]` for a third call, …).
    static let callClass = "Call"

    private static func parseCall(_ arguments: [SpecEntry], at location: SourceLocation, log: inout DiagnosticLog) -> LayerSpec {
        var call = LayerSpec(className: callClass, location: location, arguments: [])
        // Without a usable 'layer' the call stays unresolved (an empty name), and the checker skips it.
        call.callOf = TensorName(layer: "", location: location)
        for argument in arguments where argument.key != "layer" && argument.key != "inputs" {
            log.error("'\(argument.key)' is not an argument of Call, which takes 'layer' (the name of the layer to call again) and 'inputs'; the layer's own arguments stay where it is written", at: argument.keyLocation)
        }
        if let reads = arguments.first(where: { $0.key == "inputs" }) {
            call.inbound = tensorNames(reads.value, key: "inputs", log: &log) ?? []
        }
        guard let target = arguments.first(where: { $0.key == "layer" }) else {
            log.error("Call needs 'layer': the name of the layer written earlier to call again, such as {layer: encoder, inputs: right}", at: location)
            return call
        }
        guard let name = target.value.string, !name.isEmpty else {
            log.error("Call's 'layer' must be a layer's name, got \(target.value.sourceText)", at: target.value.location)
            return call
        }
        call.callOf = TensorName(layer: name, location: target.value.location)
        return call
    }

    private static func parseLayers(_ value: SpecValue, log: inout DiagnosticLog) -> [LayerSpec] {
        guard let items = value.list else {
            log.error("'layers' must be a list of layers such as '- Conv2D: {filters: 32, kernel_size: 3}', got \(value.typeDescription)", at: value.location)
            return []
        }
        if items.isEmpty {
            log.error("the model has no layers; add at least one under 'layers'", at: value.location)
        }
        var layers: [LayerSpec] = []
        for item in items {
            switch item.kind {
            case .string(let className):
                layers.append(LayerSpec(className: className, location: item.location, arguments: []))
            case .map(let entries) where entries.count == 1:
                let entry = entries[0]
                switch entry.value.kind {
                case .map(let arguments) where entry.key == callClass:
                    layers.append(parseCall(arguments, at: entry.keyLocation, log: &log))
                case .map(let arguments):
                    // `inputs` says where the layer sits in the graph; the rest are Keras's arguments.
                    var layer = LayerSpec(className: entry.key, location: entry.keyLocation, arguments: arguments.filter { $0.key != "inputs" })
                    if let reads = arguments.first(where: { $0.key == "inputs" }) {
                        layer.inbound = tensorNames(reads.value, key: "inputs", log: &log) ?? []
                    }
                    layers.append(layer)
                case .null:
                    layers.append(LayerSpec(className: entry.key, location: entry.keyLocation, arguments: []))
                default:
                    log.error("the arguments of '\(entry.key)' must be a mapping such as {units: 10}, got \(entry.value.typeDescription)", at: entry.value.location)
                }
            case .map(let entries):
                let keys = entries.map(\.key).joined(separator: ", ")
                log.error("each layer must be one 'ClassName: {arguments}' entry, but this one has \(entries.count) keys (\(keys)); check the indentation of its arguments", at: item.location)
            default:
                log.error("each layer must be written 'ClassName: {arguments}', got \(item.typeDescription) \(item.sourceText)", at: item.location)
            }
        }
        return layers
    }
}
