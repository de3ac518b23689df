/// Reads the `config` of a Keras Functional model (`keras.Model(inputs, outputs)`)
/// from `model.to_json()`.
///
/// The config lists `layers`, `input_layers` and `output_layers`. Each layer
/// object records its calls in `inbound_nodes`:
/// - Keras 3: `[{"args": [...], "kwargs": {...}}]`, the tensors in `args`
///   written as `{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}`
///   (a merge layer's `args` holds one list of them);
/// - Keras 2 / tf.keras: `[[["layer", node, tensor, {kwargs}], ...]]`.
/// `input_layers` is one `[name, node, tensor]` triple for a single input in
/// Keras 3, and a list of triples otherwise (likewise `output_layers`).
enum KerasFunctionalParser {
    /// `class_name` of a Functional model: Keras 3 and tf.keras write
    /// `Functional`; older Keras 2 files write `Model`.
    static let modelClasses: Set<String> = ["Functional", "Model"]

    /// Reads the graph of `config` (whose name and `layers` list the caller has read).
    static func parse(_ config: SpecValue, layers layerObjects: [SpecValue], into spec: inout ModelSpec, log: inout DiagnosticLog) {
        spec.isFunctional = true
        var inputs: [String: InputSpec] = [:]
        for object in layerObjects {
            if KerasNestedModels.isModel(object) {
                readNestedModel(object, into: &spec, log: &log)
                continue
            }
            guard var layer = KerasJSONParser.parseLayerObject(object, log: &log) else { continue }
            if layer.className == "InputLayer" {
                if let input = KerasJSONParser.readInputLayer(layer, log: &log) {
                    inputs[input.name] = input
                }
                continue
            }
            if let module = object["module"]?.string, module.hasPrefix(operationModulePrefix) {
                readOperationCall(object["inbound_nodes"], module: module, into: &layer, log: &log)
                spec.layers.append(layer)
                continue
            }
            if layer.className == "TFOpLambda" {
                readTFOpLambdaCall(object["inbound_nodes"], into: &layer, log: &log)
                spec.layers.append(layer)
                continue
            }
            let calls = readCalls(object["inbound_nodes"], of: layer, log: &log)
            layer.calls = calls.count
            layer.inbound = calls.first ?? []
            let first = spec.layers.count
            spec.layers.append(layer)
            // A shared layer: each later call reads its own tensors with the first call's weights.
            for (number, inbound) in calls.enumerated().dropFirst() {
                var call = layer
                call.inbound = inbound
                call.callIndex = number
                call.firstCall = first
                spec.layers.append(call)
            }
        }
        spec.inputShapeGiven = true
        for name in tensorTriples(config["input_layers"], key: "input_layers", in: config, log: &log) {
            guard let input = inputs[name.layer] else {
                log.error("'input_layers' names '\(name.layer)', which is not an InputLayer of this model", at: name.location)
                continue
            }
            spec.graphInputs.append(input)
        }
        spec.outputsLocation = config["output_layers"]?.location
        spec.outputs = tensorTriples(config["output_layers"], key: "output_layers", in: config, log: &log)
        // Tensors named after a nested model are its output.
        if !spec.nestedModels.isEmpty {
            let nested = spec.nestedModels
            func resolve(_ tensor: TensorName) -> TensorName { KerasNestedModels.resolve(tensor, in: nested, log: &log) }
            for index in spec.layers.indices {
                spec.layers[index].inbound = spec.layers[index].inbound?.map(resolve)
            }
            spec.outputs = spec.outputs?.map { KerasNestedModels.resolve($0, in: nested, modelOutput: true, log: &log) }
            for index in spec.nestedModels.indices {
                spec.nestedModels[index].inbound = spec.nestedModels[index].inbound.map(resolve)
                spec.nestedModels[index].output = resolve(spec.nestedModels[index].output)
            }
        }
        if let first = spec.graphInputs.first {
            spec.inputShapeLocation = first.location
        }
    }

    /// A model used as a layer: its layers flattened into this model for each
    /// of its calls, a later call's layers sharing the first call's weights
    /// (a Siamese network's tower called on two inputs).
    private static func readNestedModel(_ object: SpecValue, into spec: inout ModelSpec, log: inout DiagnosticLog) {
        let location = object["class_name"]?.location ?? object.location
        let calls = readCalls(object["inbound_nodes"], of: LayerSpec(className: object["class_name"]?.string ?? "Functional", location: location, arguments: []), log: &log)
        guard !calls.isEmpty else {
            let name = object["config"]?["name"]?.string ?? object["name"]?.string ?? "?"
            if object["inbound_nodes"]?.list != nil {
                log.error("\(name): the nested model is never called (its 'inbound_nodes' is empty), so it reads nothing", at: location)
            }
            return
        }
        // Keras 3 writes a call as an object, tf.keras as a list; tf.keras counts the model's own graph as node 0.
        let firstNode = object["inbound_nodes"]?.list?.first?.entries != nil ? 0 : 1
        let firstEntry = spec.nestedModels.count, firstLayer = spec.layers.count
        for (number, inbound) in calls.enumerated() {
            // A later call reads the same model again: its diagnostics were the first call's.
            var scratch = DiagnosticLog()
            let read = number == 0 ? KerasNestedModels.flatten(object, calledOn: inbound, index: spec.nestedModels.count, log: &log)
                : KerasNestedModels.flatten(object, calledOn: inbound, index: spec.nestedModels.count, log: &scratch)
            guard let (layers, flattened) = read else { return }
            var nested = flattened
            nested.firstNode = firstNode
            nested.outputFirstNode = firstNode == 1 || nested.className == "Functional" ? 1 : 0
            if number == 0 {
                KerasNestedModels.append(layers, to: &spec)
            } else {
                nested.output = KerasNestedModels.appendCall(number, of: layers, output: nested.output, sharing: firstLayer, to: &spec)
                nested.callIndex = number
                nested.firstCall = firstEntry
            }
            spec.nestedModels.append(nested)
        }
    }

    /// The module of Keras 3's operations (`keras.src.ops.numpy`, `keras.src.ops.nn`):
    /// a function applied to tensors (`x + 3.0`) rather than a layer.
    static let operationModulePrefix = "keras.src.ops."

    /// An operation is recorded with one call, whose `args` mix tensors and
    /// plain values (`[x, 3.0]`); both are kept, in order.
    private static func readOperationCall(_ value: SpecValue?, module: String, into layer: inout LayerSpec, log: inout DiagnosticLog) {
        guard let calls = value?.list, calls.count == 1, let arguments = calls[0]["args"]?.list else {
            log.error("the '\(layer.className)' operation must record one call with its 'args' in 'inbound_nodes'", at: value?.location ?? layer.location)
            return
        }
        refuseCallArguments(calls[0]["kwargs"], log: &log)
        var tensors: [TensorName] = []
        var call = OperationCall(module: module, arguments: [])
        for argument in arguments {
            if argument["class_name"]?.string == "__keras_tensor__" {
                collectTensors(argument, into: &tensors, log: &log)
                call.arguments.append(nil)
            } else {
                call.arguments.append(argument)
            }
        }
        if tensors.isEmpty {
            log.error("a call of the '\(layer.className)' operation passes it no tensor; each call must name what it reads", at: calls[0].location)
        }
        layer.inbound = tensors
        layer.operationCall = call
    }

    /// tf.keras records arithmetic on a tensor as a `TFOpLambda` layer called
    /// once, its node the call's one item (not a list of items, as a layer's):
    /// `[["x", 0, 0, {"y": 3.0, "name": null}]]` for `x + 3.0`, and
    /// `[["_CONSTANT_VALUE", -1, 2.0, {"y": ["x", 0, 0], "name": null}]]` for `2.0 - x`.
    private static func readTFOpLambdaCall(_ value: SpecValue?, into layer: inout LayerSpec, log: inout DiagnosticLog) {
        guard let calls = value?.list, calls.count == 1, let item = calls[0].list, item.count == 4, let first = item[0].string else {
            log.error("the TFOpLambda layer must record one call of one item, [tensor or _CONSTANT_VALUE, node, index, {arguments}], in 'inbound_nodes'", at: value?.location ?? layer.location)
            return
        }
        var keywords: [String: SpecValue] = [:]
        for entry in item[3].entries ?? [] where !entry.value.isNull {
            guard entry.key == "y" else {
                log.error("the TFOpLambda call argument '\(entry.key)' = \(entry.value.sourceText) is not supported; cnnc reads arithmetic of a tensor and a number (x, y)", at: entry.keyLocation)
                continue
            }
            keywords[entry.key] = entry.value
        }
        var call = OperationCall(module: nil, arguments: [])
        if first == "_CONSTANT_VALUE" {
            guard let y = keywords["y"], let tensor = triple(y, log: &log) else {
                log.error("a TFOpLambda call on a constant must name the tensor it reads as 'y'", at: item[3].location)
                return
            }
            layer.inbound = [tensor]
            call.arguments = [item[2], nil]
        } else {
            guard let tensor = triple(calls[0], log: &log) else { return }
            layer.inbound = [tensor]
            call.arguments = [nil] + (keywords["y"].map { [$0] } ?? [])
        }
        layer.operationCall = call
    }

    /// Each call of a layer: the tensors it was given, in order.
    private static func readCalls(_ value: SpecValue?, of layer: LayerSpec, log: inout DiagnosticLog) -> [[TensorName]] {
        guard let value, let calls = value.list else {
            log.error("the '\(layer.className)' layer object has no 'inbound_nodes' list, so nothing says what it reads", at: value?.location ?? layer.location)
            return []
        }
        return calls.map { call in
            var tensors: [TensorName] = []
            if call.entries != nil {
                collectTensors(call["args"], into: &tensors, log: &log)
                refuseCallArguments(call["kwargs"], of: layer.className, log: &log)
            } else {
                // Keras 2: [["layer", node, tensor, {kwargs}], ...]
                for item in call.list ?? [] {
                    guard let tensor = triple(item, log: &log) else { continue }
                    tensors.append(tensor)
                    refuseCallArguments(item.list?.dropFirst(3).first, of: layer.className, log: &log)
                }
            }
            if tensors.isEmpty {
                log.error("a call of the '\(layer.className)' layer passes it no tensor; each call must name what the layer reads", at: call.location)
            }
            return tensors
        }
    }

    /// A call's keyword arguments (`training: true`, `mask: ...`) would change what
    /// the layer computes; cnnc calls layers with their tensors only, so any that is not null is an error.
    /// Except `training: false`: Keras 3 writes it for Dropout and the noise layers
    /// of a Functional model, which replaces it with the mode it runs in
    /// (`fit` trains them, `predict` does not), so it changes nothing; and
    /// `training: true` of an image preprocessing layer (the augmentation
    /// layers, Resizing, CenterCrop), the default of its `call` that Keras 3
    /// writes and replaces alike. (On another layer it is Monte Carlo
    /// dropout, which tf.keras runs at inference too.)
    private static func refuseCallArguments(_ kwargs: SpecValue?, of className: String? = nil, log: inout DiagnosticLog) {
        for argument in kwargs?.entries ?? [] where !argument.value.isNull {
            if argument.key == "training", case .bool(let training) = argument.value.kind,
               !training || className.map(RandomImageArguments.isImagePreprocessing) == true { continue }
            log.error("the call argument '\(argument.key)' = \(argument.value.sourceText) is not supported; cnnc calls every layer with its tensors only", at: argument.keyLocation)
        }
    }

    /// The Keras 3 tensors in a call's `args`, depth first.
    private static func collectTensors(_ value: SpecValue?, into tensors: inout [TensorName], log: inout DiagnosticLog) {
        guard let value else { return }
        if let items = value.list {
            for item in items { collectTensors(item, into: &tensors, log: &log) }
        } else if value["class_name"]?.string == "__keras_tensor__", let history = value["config"]?["keras_history"] {
            if let tensor = triple(history, log: &log) { tensors.append(tensor) }
        } else {
            log.error("cannot read the call argument \(value.sourceText); cnnc expects tensors (__keras_tensor__ objects)", at: value.location)
        }
    }

    /// `["layer", node, tensor]` (a Keras 2 item may add its kwargs).
    private static func triple(_ value: SpecValue, log: inout DiagnosticLog) -> TensorName? {
        guard let items = value.list, items.count >= 3, let layer = items[0].string,
              case .int(let node) = items[1].kind, case .int(let tensor) = items[2].kind, node >= 0, tensor >= 0 else {
            log.error("a tensor must be written [layer name, node index, tensor index], got \(value.sourceText)", at: value.location)
            return nil
        }
        return TensorName(layer: layer, nodeIndex: node, tensorIndex: tensor, location: value.location)
    }

    /// `input_layers` / `output_layers`: one triple, or a list of triples.
    private static func tensorTriples(_ value: SpecValue?, key: String, in config: SpecValue, log: inout DiagnosticLog) -> [TensorName] {
        guard let value, let items = value.list, !items.isEmpty else {
            log.error("the Functional model's config has no '\(key)' list", at: value?.location ?? config.location)
            return []
        }
        if items[0].string != nil {
            return triple(value, log: &log).map { [$0] } ?? []
        }
        return items.compactMap { triple($0, log: &log) }
    }
}
