/// Models nested as layers of a Keras model file (see `NestedModelSpec`):
/// `keras.Sequential([base, GlobalAveragePooling2D(), Dense(10)])` with a
/// keras.applications `base`, or `base(x)` inside a Functional model.
/// Each is flattened: its layers join the outer model under their own
/// names, its inputs replaced by the tensors it is called on.
enum KerasNestedModels {
    static let classes: Set<String> = KerasFunctionalParser.modelClasses.union(["Sequential"])

    /// Whether a layer object of `layers` is a whole model.
    static func isModel(_ object: SpecValue) -> Bool {
        object["class_name"]?.string.map(classes.contains) ?? false
    }

    /// The model `object` called on `inputs`: its layers, each reading named
    /// tensors and marked as coming from nested model `index`, and what the
    /// summary prints of it; nil after logging why it cannot be read.
    static func flatten(_ object: SpecValue, calledOn inputs: [TensorName], index: Int,
                        log: inout DiagnosticLog) -> (layers: [LayerSpec], nested: NestedModelSpec)? {
        let classValue = object["class_name"]
        let location = classValue?.location ?? object.location
        let inner = KerasJSONParser.parse(object, log: &log)
        guard inner.isReadable else { return nil }
        guard let name = inner.name else {
            log.error("a model nested in this one has no 'name' in its config", at: location)
            return nil
        }
        var layers = inner.layers
        var renamed: [String: TensorName] = [:]
        let output: TensorName
        if inner.isFunctional {
            guard inner.graphInputs.count == inputs.count else {
                log.error("\(name): the nested model has \(inner.graphInputs.count) input(s) but is called on \(inputs.count) tensor(s)", at: location)
                return nil
            }
            for (input, outer) in zip(inner.graphInputs, inputs) { renamed[input.name] = outer }
            guard let outputs = inner.outputs, outputs.count == 1 else {
                log.error("\(name): the nested model has \(inner.outputs?.count ?? 0) outputs; cnnc reads nested models with one output", at: location)
                return nil
            }
            output = outputs[0]
        } else {
            guard inputs.count == 1 else {
                log.error("\(name): a nested Sequential model reads one tensor, but is called on \(inputs.count)", at: location)
                return nil
            }
            // A chain: each layer reads the one before it.
            var previous = inputs[0]
            for position in layers.indices {
                guard let layerName = layers[position].arguments.first(where: { $0.key == "name" })?.value.string else {
                    log.error("\(name): each layer of a nested Sequential model needs its 'name'", at: layers[position].location)
                    return nil
                }
                layers[position].inbound = [previous]
                previous = TensorName(layer: layerName, location: layers[position].location)
            }
            output = previous
        }
        let frozen = object["config"]?["trainable"].map { if case .bool(false) = $0.kind { true } else { false } } ?? false
        for position in layers.indices {
            layers[position].inbound = layers[position].inbound?.map { renamed[$0.layer] ?? $0 }
            layers[position].nestedModel = index
            // Keras freezes every layer of a model whose `trainable` is false (transfer learning's frozen base).
            if frozen, let flag = object["config"]?["trainable"] {
                layers[position].arguments.removeAll { $0.key == "trainable" }
                layers[position].arguments.append(SpecEntry(key: "trainable", keyLocation: flag.location, value: flag))
            }
        }
        let printedClass = classValue?.string == "Sequential" ? "Sequential" : "Functional"
        let nested = NestedModelSpec(name: name, className: printedClass, location: location, inbound: inputs, output: renamed[output.layer] ?? output)
        return (layers, nested)
    }

    /// A tensor named after a nested model (`["base", 0, 0]` in Keras 3, `["base", 1, 0]`
    /// in tf.keras, whose node 0 is the model's own graph) is that model's output;
    /// of a model called more than once, the output of the call its node names,
    /// counted as `output_layers` counts them when `modelOutput` (a node no
    /// call has is an error at that reference; the last call, the nearest to
    /// a node past the end, stands in for it).
    static func resolve(_ tensor: TensorName, in nested: [NestedModelSpec], modelOutput: Bool = false,
                        log: inout DiagnosticLog) -> TensorName {
        let calls = nested.filter { $0.name == tensor.layer }
        guard tensor.tensorIndex == 0, let first = calls.first else { return tensor }
        if calls.count == 1 { return first.output }
        let firstNode = modelOutput ? first.outputFirstNode : first.firstNode
        let call = tensor.nodeIndex - firstNode
        guard calls.indices.contains(call) else {
            let nodes = firstNode..<(firstNode + calls.count)
            log.error("tensor [\(tensor.layer), \(tensor.nodeIndex), 0] names a call the nested model '\(tensor.layer)' does not have: it is called \(calls.count) times, as nodes \(nodes.lowerBound) to \(nodes.upperBound - 1)", at: tensor.location)
            return calls[calls.count - 1].output
        }
        return calls[call].output
    }

    /// A Sequential model with a model among its layers, read as the graph it
    /// is once flattened (the nested model may be a graph itself), printed as
    /// Sequential. Its input is its InputLayer's, or else the first nested model's.
    static func readSequential(_ objects: [SpecValue], in config: SpecValue, into spec: inout ModelSpec, log: inout DiagnosticLog) {
        var input: InputSpec?
        for object in objects {
            if object["class_name"]?.string == "InputLayer" {
                if let layer = KerasJSONParser.parseLayerObject(object, log: &log) { input = KerasJSONParser.readInputLayer(layer, log: &log) }
                break
            }
            if isModel(object) {
                var scratch = DiagnosticLog()  // read again, with its diagnostics, when flattened
                let inner = KerasJSONParser.parse(object, log: &scratch)
                if let first = inner.graphInputs.first {
                    input = first
                } else if let shape = inner.inputShape {
                    input = InputSpec(name: KerasNaming.defaultInputName, shape: shape, location: inner.inputShapeLocation)
                }
                break
            }
        }
        guard let input else {
            log.error("the Sequential model has no InputLayer, and its first layer does not say its input shape", at: config["layers"]?.location ?? config.location)
            spec.isReadable = false
            return
        }
        spec.isFunctional = true
        spec.printsAsSequential = true
        spec.inputShapeGiven = true
        spec.inputShapeLocation = input.location
        spec.graphInputs = [input]
        var previous = TensorName(layer: input.name, location: input.location)
        for object in objects where object["class_name"]?.string != "InputLayer" {
            if isModel(object) {
                guard let (layers, nested) = flatten(object, calledOn: [previous], index: spec.nestedModels.count, log: &log) else { return }
                append(layers, to: &spec)
                spec.nestedModels.append(nested)
                previous = nested.output
                continue
            }
            guard var layer = KerasJSONParser.parseLayerObject(object, log: &log) else { return }
            guard let name = layer.arguments.first(where: { $0.key == "name" })?.value.string else {
                log.error("each layer of a Sequential model with a nested model needs its 'name'", at: layer.location)
                return
            }
            layer.inbound = [previous]
            spec.layers.append(layer)
            previous = TensorName(layer: name, location: layer.location)
        }
        spec.outputs = [previous]
        spec.outputsLocation = config["layers"]?.location
    }

    /// Adds call `number` of a nested model, whose first call's layers start at
    /// `firstLayer` of the outer list: each of its layers is a later call of the
    /// first call's layer at the same place, and reads the later calls of the
    /// model's own layers (a layer called c times inside the model is called
    /// c times a call: call `number` has nodes number·c to number·c + c − 1).
    /// Returns the call's output, so renumbered.
    static func appendCall(_ number: Int, of layers: [LayerSpec], output: TensorName, sharing firstLayer: Int,
                           to spec: inout ModelSpec) -> TensorName {
        var callsInside: [String: Int] = [:]
        for layer in layers { if let name = layer.name { callsInside[name, default: 0] += 1 } }
        func renumbered(_ tensor: TensorName) -> TensorName {
            guard let calls = callsInside[tensor.layer] else { return tensor }
            var tensor = tensor
            // A node index past any call (read from the file) stays one, for the checker to report.
            let (shifted, overflow) = tensor.nodeIndex.addingReportingOverflow(number * calls)
            tensor.nodeIndex = overflow ? Int.max : shifted
            return tensor
        }
        spec.layers += layers.enumerated().map { position, layer in
            var layer = layer
            layer.firstCall = firstLayer + (layer.firstCall ?? position)
            layer.callIndex += number * (layer.name.flatMap { callsInside[$0] } ?? 1)
            layer.inbound = layer.inbound?.map(renumbered)
            return layer
        }
        return renumbered(output)
    }

    /// Adds a nested model's flattened layers to the outer model: a layer shared
    /// inside it names its first call among them, now counted in the outer list.
    static func append(_ layers: [LayerSpec], to spec: inout ModelSpec) {
        let offset = spec.layers.count
        spec.layers += layers.map { layer in
            var layer = layer
            layer.firstCall = layer.firstCall.map { $0 + offset }
            return layer
        }
    }
}
