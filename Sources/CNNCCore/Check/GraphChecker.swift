/// The check stage for a Functional model: resolves the tensors each layer
/// reads, refuses what is not a directed acyclic graph from the inputs to
/// the outputs, then checks every layer as `ModelChecker` checks a chain,
/// producers before readers. The checked layers come in Keras's order
/// (`KerasGraphOrder`), which is also an order where every layer follows
/// the layers it reads. Every independent mistake is logged.
enum GraphChecker {
    /// Where a named tensor comes from: a model input or a layer of the spec.
    private enum Producer {
        case input(Int)
        case layer(Int)
    }

    static func check(_ spec: ModelSpec, log: inout DiagnosticLog) -> CheckedModel? {
        var spec = spec
        if !spec.inputShapeGiven || spec.graphInputs.isEmpty {
            // A Keras file without usable `input_layers` has been reported by the parser.
            guard spec.format == .cnncSpec || !log.hasErrors else { return nil }
            log.error("the model has no inputs; add e.g. 'inputs: {image: [28, 28, 1]}' (or 'input_shape: [28, 28, 1]' for one input)", at: spec.inputShapeLocation)
            return nil
        }
        var producers: [String: Producer] = [:]
        var firstUse: [String: SourceLocation] = [:]
        func claim(_ name: String, _ producer: Producer, at location: SourceLocation, log: inout DiagnosticLog) {
            if let earlier = firstUse[name] {
                log.error("duplicate name '\(name)' (first used at line \(earlier.line), column \(earlier.column)); layer and input names must be unique", at: location)
            } else {
                firstUse[name] = location
                producers[name] = producer
            }
        }
        for (index, input) in spec.graphInputs.enumerated() {
            claim(input.name, .input(index), at: input.location, log: &log)
            if let shape = input.shape, CheckedArithmetic.product(shape) == nil {
                log.error("the input shape \(TensorShape(shape)) of '\(input.name)' is too large: its element count overflows", at: input.location)
            }
        }
        // Names and arguments, in the order the file writes them.
        var naming = KerasNaming()
        var names: [String] = []
        // A shared layer's later calls (spec indices), by name: `name[1]` is the second call.
        var laterCalls: [String: [Int]] = [:]
        for index in spec.layers.indices {
            if let target = spec.layers[index].callOf {
                // `Call: {layer: encoder}`: a later call of a layer written before it.
                guard let first = calledLayer(target, producers: producers, layers: spec.layers, log: &log) else {
                    names.append(target.layer)
                    continue
                }
                var call = spec.layers[first]
                call.inbound = spec.layers[index].inbound
                call.location = spec.layers[index].location
                call.firstCall = first
                call.callIndex = 1 + (laterCalls[names[first]]?.count ?? 0)
                spec.layers[index] = call
            }
            let layer = spec.layers[index]
            if let first = layer.firstCall {
                let name = names[first]
                names.append(name)
                laterCalls[name, default: []].append(index)
                continue
            }
            let name = ModelChecker.layerName(layer, format: spec.format, naming: &naming, log: &log)
            names.append(name)
            claim(name, .layer(index), at: layer.location, log: &log)
            if layer.calls == 0 {
                log.error("\(name): the layer is never called (its 'inbound_nodes' is empty), so it reads nothing", at: layer.location)
            }
        }
        // Nodes 0..<inputs are the model's inputs, then the spec's layers.
        let inputCount = spec.graphInputs.count
        func nodeName(_ node: Int) -> String { node < inputCount ? spec.graphInputs[node].name : names[node - inputCount] }
        func node(_ name: TensorName, log: inout DiagnosticLog) -> Int? {
            guard let producer = producers[name.layer] else {
                let known = spec.graphInputs.map(\.name) + names
                // A long model's names would bury the message; a short one's help.
                let listing = known.count <= 12 ? " (the names are: \(known.joined(separator: ", ")))" : ""
                log.error("unknown tensor '\(name.layer)': no model input or layer has that name\(listing)\(Suggestions.didYouMean(name.layer, in: known))", at: name.location)
                return nil
            }
            guard name.tensorIndex == 0 else {
                log.error("tensor [\(name.layer), \(name.nodeIndex), \(name.tensorIndex)] is not supported: cnnc layers have one output, so the tensor index is 0", at: name.location)
                return nil
            }
            if name.nodeIndex != 0 {
                let later = laterCalls[name.layer] ?? []
                guard name.nodeIndex > 0, name.nodeIndex <= later.count else {
                    log.error("tensor [\(name.layer), \(name.nodeIndex), \(name.tensorIndex)] names call \(name.nodeIndex) of '\(name.layer)', which is called \(later.count + 1) time\(later.isEmpty ? "" : "s") (calls count from 0)", at: name.location)
                    return nil
                }
                return inputCount + later[name.nodeIndex - 1]
            }
            switch producer {
            case .input(let index): return index
            case .layer(let index): return inputCount + index
            }
        }
        var reads = [[Int]](repeating: [], count: inputCount)
        var resolved = true
        for (index, layer) in spec.layers.enumerated() {
            if spec.format == .cnncSpec, LayerCatalog.mergeClasses.contains(layer.className), (layer.inbound?.count ?? 0) < 2 {
                log.error(ModelChecker.mergeWithoutInputs(names[index], layer), at: layer.location)
            }
            var inbound: [Int] = []
            if let names = layer.inbound {
                for name in names {
                    if let producer = node(name, log: &log) { inbound.append(producer) } else { resolved = false }
                }
                if names.isEmpty, layer.calls == 1 { resolved = false }
            } else {
                // Without `inputs:`, a layer reads the layer written above it.
                inbound = [index == 0 ? 0 : inputCount + index - 1]
            }
            reads.append(inbound)
        }
        let outputNames = spec.outputs ?? []
        var outputs: [Int] = []
        for name in outputNames {
            if let producer = node(name, log: &log) { outputs.append(producer) } else { resolved = false }
        }
        if spec.outputs == nil {
            outputs = [spec.layers.isEmpty ? 0 : inputCount + spec.layers.count - 1]
        }
        // Arguments are decoded once the input's rank is known (BatchNormalization's
        // `axis: 3` is the last axis of an image); a layer that is never reached
        // still has its arguments checked, without a rank.
        var decoded = [Bool](repeating: false, count: spec.layers.count)
        func decodeRest(log: inout DiagnosticLog) {
            for (index, layer) in spec.layers.enumerated() where !decoded[index] && layer.callOf == nil {
                _ = ModelChecker.decode(layer, name: names[index], isFirst: false, inputRank: nil, log: &log)
            }
        }
        guard resolved, !outputs.isEmpty else {
            decodeRest(log: &log)
            return nil
        }

        let graph: KerasGraphOrder
        switch KerasGraphOrder.compute(reads: reads, inputs: Array(0..<inputCount), outputs: outputs) {
        case .failure(let cycle):
            let path = cycle.path.map(nodeName)
            let first = (cycle.path.last ?? inputCount) - inputCount
            log.error("the layers \(path.reversed().map { "'\($0)'" }.joined(separator: " → ")) form a cycle; a layer can only read the inputs and layers computed before it", at: spec.layers[first].location)
            decodeRest(log: &log)
            return nil
        case .success(let order):
            graph = order
        }
        // A Call left unresolved has been reported; whether it is reached says nothing more.
        for (index, layer) in spec.layers.enumerated() where !graph.reached[inputCount + index] && layer.callOf == nil {
            log.error("\(names[index]): no output depends on this layer; add it to 'outputs' or remove it", at: layer.location)
        }
        if spec.format == .cnncSpec {
            for (index, input) in spec.graphInputs.enumerated() where !graph.reached[index] {
                log.error("no output depends on the input '\(input.name)'; read it with a layer's 'inputs:' or remove it", at: input.location)
            }
        }

        // Shapes, producers first. A layer whose input has no shape is skipped:
        // its error would only repeat the first one.
        var shapes = [TensorShape?](repeating: nil, count: reads.count)
        for (index, input) in spec.graphInputs.enumerated() {
            shapes[index] = input.shape.flatMap { CheckedArithmetic.product($0) == nil ? nil : TensorShape($0) }
        }
        // A layer's index in the checked model is its place in Keras's order.
        let position = Dictionary(uniqueKeysWithValues: graph.order.filter { $0 >= inputCount }.enumerated().map { ($1, $0) })
        func reference(_ node: Int) -> TensorReference {
            node < inputCount ? .input(node) : .layer(position[node] ?? 0)
        }
        var checked: [Int: CheckedLayer] = [:]
        for node in graph.topological where node >= inputCount {
            let index = node - inputCount
            let operands = reads[node].compactMap { producer in
                shapes[producer].map { MergeShapes.Operand(name: nodeName(producer), shape: $0) }
            }
            // A Call whose layer was not found has been reported.
            guard operands.count == reads[node].count, spec.layers[index].callOf == nil else { continue }
            decoded[index] = true
            guard let operation = ModelChecker.decode(spec.layers[index], name: names[index], isFirst: false,
                                                      inputRank: operands.first?.shape.rank, log: &log) else { continue }
            guard var layer = ModelChecker.checkLayer(spec.layers[index], name: names[index], operation: operation, reads: reads[node].map(reference),
                                                      operands: operands, log: &log) else { continue }
            layer.nestedModel = spec.layers[index].nestedModel
            shapes[node] = layer.outputShape
            checked[node] = layer
        }
        for (index, layer) in spec.layers.enumerated() {
            guard let firstCall = layer.firstCall else { continue }
            let first = inputCount + firstCall
            guard var call = checked[inputCount + index], let owner = checked[first] else { continue }
            // One set of weights serves every call, so every call must take the same.
            guard call.parameters == owner.parameters, call.inputShape.lastAxis == owner.inputShape.lastAxis else {
                log.error("\(names[index]): call \(layer.callIndex) of this shared layer reads \(call.inputShape), but its first call reads \(owner.inputShape); the calls share weights, so they must read tensors with the same channels", at: layer.location)
                continue
            }
            call.sharesWeightsOf = position[first]
            call.callIndex = layer.callIndex
            call.trainableParameters = 0
            call.nonTrainableParameters = 0
            checked[inputCount + index] = call
        }
        decodeRest(log: &log)
        let layers = graph.order.filter { $0 >= inputCount }.compactMap { checked[$0] }
        let inputs = spec.graphInputs.compactMap { input in input.shape.map { ModelInput(name: input.name, shape: TensorShape($0), location: input.location) } }
        // Every layer or input left out has logged why.
        guard !log.hasErrors, layers.count == checked.count, layers.count == spec.layers.count, inputs.count == inputCount else { return nil }
        // A nested model's tensors are tensors of its flattened layers, resolved above.
        let nestedModels = spec.nestedModels.compactMap { nested -> NestedModel? in
            let inbound = nested.inbound.compactMap { node($0, log: &log) }
            guard inbound.count == nested.inbound.count, let output = node(nested.output, log: &log) else { return nil }
            return NestedModel(name: nested.name, className: nested.className, inputs: inbound.map(reference), output: reference(output),
                               callIndex: nested.callIndex, firstCall: nested.firstCall)
        }
        guard nestedModels.count == spec.nestedModels.count else { return nil }
        return CheckedModel(
            name: spec.name ?? KerasNaming.defaultFunctionalModelName, inputs: inputs, layers: layers,
            outputs: outputs.map(reference), sourceFile: spec.file,
            notes: log.diagnostics.filter { $0.severity == .note }, kind: .functional,
            nestedModels: nestedModels, printsAsSequential: spec.printsAsSequential)
    }

    /// The spec index of the layer a `Call` calls again: written before it,
    /// a layer (not an input), and not itself a call.
    private static func calledLayer(_ target: TensorName, producers: [String: Producer], layers: [LayerSpec], log: inout DiagnosticLog) -> Int? {
        guard !target.layer.isEmpty else { return nil }  // the parser said why
        switch producers[target.layer] {
        case .layer(let index)?:
            return index
        case .input?:
            log.error("Call calls a layer again, and '\(target.layer)' is a model input; read it with 'inputs:' instead", at: target.location)
        case nil:
            let written = layers.contains { layer in layer.arguments.contains { $0.key == "name" && $0.value.string == target.layer } }
            log.error(written ? "Call calls '\(target.layer)' before the layer is written; move the Call below it"
                              : "Call calls '\(target.layer)', but no layer written before it has that name", at: target.location)
        }
        return nil
    }
}
