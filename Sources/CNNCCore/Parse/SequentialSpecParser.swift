/// Reads cnnc's own spec language (YAML or JSON):
///
///     name: toy_convnet            # optional; Keras's default is "sequential"
///     input_shape: [32, 32, 3]
///     layers:
///       - Conv2D: {filters: 8, kernel_size: 5, activation: relu}
///       - Flatten                  # a layer without arguments may be a bare name
///
/// Layer arguments are Keras's keyword arguments; they are checked later.
enum SequentialSpecParser {
    static let topLevelKeys = ["name", "input_shape", "layers"]

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
            case "layers":
                sawLayers = true
                spec.layers = parseLayers(entry.value, log: &log)
            default:
                let suggestion = Suggestions.closest(to: entry.key, in: topLevelKeys)
                let didYouMean = suggestion.map { "; did you mean '\($0)'?" } ?? ""
                log.error("unknown key '\(entry.key)' in the spec\(didYouMean) (the keys are: \(topLevelKeys.joined(separator: ", ")))", at: entry.keyLocation)
                // A misspelled key was meant as that key: do not also report it missing.
                if suggestion == "input_shape" { spec.inputShapeGiven = true }
                if suggestion == "layers" { sawLayers = true }
            }
        }
        if !sawLayers {
            log.error("the spec has no 'layers' list; add e.g. 'layers: [{Dense: {units: 10}}]'", at: root.location)
        }
        return spec
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
                case .map(let arguments):
                    layers.append(LayerSpec(className: entry.key, location: entry.keyLocation, arguments: arguments))
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
