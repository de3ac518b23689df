/// A row of Keras's summary: a model input, a layer, or a model nested in
/// this one, which Keras prints as one row for all its layers.
public enum SummaryRow: Hashable, Sendable {
    case input(Int)
    case layer(Int)
    case nestedModel(Int)
}

extension CheckedModel {
    /// The rows Keras's summary prints, in its order: `summaryRows`, with each
    /// nested model's layers folded into one row where the model is called.
    public var summaryTable: [SummaryRow] {
        guard !nestedModels.isEmpty || hasSharedLayers else {
            return summaryRows.map { tensor in
                switch tensor {
                case .input(let index): .input(index)
                case .layer(let index): .layer(index)
                }
            }
        }
        let graph = callGraph
        if printsAsSequential { return graph.units }
        guard let order = graph.order else { return graph.units }
        return order.operations.map { $0 < inputs.count ? .input($0) : graph.units[$0 - inputs.count] }
    }

    /// Whether the summary prints with Sequential's three columns, as Keras
    /// decides it over the calls (`summary_utils`): a shared layer's two calls make it a graph.
    var foldedIsSequentialLike: Bool {
        printsAsSequential || callGraph.order?.isSequentialLike == true
    }

    /// A nested model's row: the sum of its layers' parameters and FLOPs over
    /// every call (a later call's layers count no parameters, sharing the first's).
    public func nestedTotals(_ index: Int) -> (parameters: Int, flops: Int) {
        let calls = Set(nestedCalls(of: index))
        return layers.filter { $0.nestedModel.map(calls.contains) ?? false }.reduce((0, 0)) { ($0.0 + $1.parameters, $0.1 + $1.flops) }
    }

    /// The calls of the nested model whose first call is `index`, in call order.
    public func nestedCalls(of index: Int) -> [Int] {
        [index] + nestedModels.indices.filter { nestedModels[$0].firstCall == index }
    }

    /// Whether a layer is called more than once (Keras's shared layer).
    public var hasSharedLayers: Bool { layers.contains { $0.sharesWeightsOf != nil } }

    /// The calls of the layer whose first call is `index`, in Keras's node order.
    public func calls(of index: Int) -> [Int] {
        [index] + layers.indices.filter { layers[$0].sharesWeightsOf == index }.sorted { layers[$0].callIndex < layers[$1].callIndex }
    }

    /// Whether the layer at `index` is its layer's last call: the one whose
    /// ActivityRegularization penalty Keras 3 keeps, each call clearing the
    /// losses the layer added before.
    public func isLastCall(_ index: Int) -> Bool {
        calls(of: layers[index].sharesWeightsOf ?? index).last == index
    }

    /// A tensor as `Connected to` writes it: its layer (or nested model), the
    /// call that made it and its output index, `encoder[1][0]`.
    public func connectionName(of tensor: TensorReference) -> String {
        let call = switch tensor {
        case .input: 0
        case .layer(let index): layers[index].nestedModel.map { nestedModels[$0].callIndex } ?? layers[index].callIndex
        }
        return "\(summaryName(of: tensor))[\(call)][0]"
    }

    /// What Keras names a tensor in `Connected to`: the nested model that made it, if one did.
    public func summaryName(of tensor: TensorReference) -> String {
        if case .layer(let index) = tensor, let nested = layers[index].nestedModel { return nestedModels[nested].name }
        return name(of: tensor)
    }

    /// The graph of calls Keras walks: a node for each input, each call of a
    /// layer and each nested model's call; each node's operation is its row
    /// (an input, a layer with all its calls, or a nested model with all its
    /// layers), the rows after the inputs in the order they first appear.
    private var callGraph: (units: [SummaryRow], order: KerasOperationOrder?) {
        var units: [SummaryRow] = []
        var unitOfLayer = [Int](repeating: 0, count: layers.count)
        var unitOfNested: [Int: Int] = [:]
        for (index, layer) in layers.enumerated() where layer.sharesWeightsOf == nil {
            if let nested = layer.nestedModel {
                if unitOfNested[nested] == nil {
                    unitOfNested[nested] = units.count
                    units.append(.nestedModel(nested))
                }
                unitOfLayer[index] = unitOfNested[nested]!
            } else {
                unitOfLayer[index] = units.count
                units.append(.layer(index))
            }
        }
        for (index, layer) in layers.enumerated() {
            if let owner = layer.sharesWeightsOf { unitOfLayer[index] = unitOfLayer[owner] }
        }
        // Nodes: the inputs, then every call outside nested models, then each nested model's call.
        var operation = Array(inputs.indices)
        var nodeOfLayer = [Int](repeating: 0, count: layers.count)
        var nodeOfNested: [Int: Int] = [:]
        for (index, layer) in layers.enumerated() {
            if let nested = layer.nestedModel {
                if nodeOfNested[nested] == nil {
                    nodeOfNested[nested] = operation.count
                    operation.append(inputs.count + unitOfLayer[index])
                }
                nodeOfLayer[index] = nodeOfNested[nested]!
            } else {
                nodeOfLayer[index] = operation.count
                operation.append(inputs.count + unitOfLayer[index])
            }
        }
        func node(_ tensor: TensorReference) -> Int {
            switch tensor {
            case .input(let index): index
            case .layer(let index): nodeOfLayer[index]
            }
        }
        var reads = [[Int]](repeating: [], count: operation.count)
        for (index, layer) in layers.enumerated() where layer.nestedModel == nil { reads[nodeOfLayer[index]] = layer.inputs.map(node) }
        for (nested, model) in nestedModels.enumerated() {
            if let call = nodeOfNested[nested] { reads[call] = model.inputs.map(node) }
        }
        let order = KerasOperationOrder.compute(operation: operation, reads: reads, inputs: Array(inputs.indices), outputs: outputs.map(node))
        return (units, order)
    }
}
