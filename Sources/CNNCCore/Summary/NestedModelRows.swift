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
        let graph = foldedGraph
        if printsAsSequential { return graph.units }
        guard let order = try? KerasGraphOrder.compute(reads: graph.reads, inputs: Array(inputs.indices), outputs: graph.outputs).get() else {
            return graph.units
        }
        return order.order.map { $0 < inputs.count ? .input($0) : graph.units[$0 - inputs.count] }
    }

    /// Whether the folded graph prints with Sequential's three columns.
    var foldedIsSequentialLike: Bool {
        if printsAsSequential { return true }
        let graph = foldedGraph
        guard let order = try? KerasGraphOrder.compute(reads: graph.reads, inputs: Array(inputs.indices), outputs: graph.outputs).get() else {
            return false
        }
        return order.isSequentialLike(reads: graph.reads)
    }

    /// A nested model's row: the sum of its layers' parameters and FLOPs.
    public func nestedTotals(_ index: Int) -> (parameters: Int, flops: Int) {
        layers.filter { $0.nestedModel == index }.reduce((0, 0)) { ($0.0 + $1.parameters, $0.1 + $1.flops) }
    }

    /// Whether a layer is called more than once (Keras's shared layer).
    public var hasSharedLayers: Bool { layers.contains { $0.sharesWeightsOf != nil } }

    /// The calls of the layer whose first call is `index`, in Keras's node order.
    public func calls(of index: Int) -> [Int] {
        [index] + layers.indices.filter { layers[$0].sharesWeightsOf == index }.sorted { layers[$0].callIndex < layers[$1].callIndex }
    }

    /// A tensor as `Connected to` writes it: its layer (or nested model), the
    /// call that made it and its output index, `encoder[1][0]`.
    public func connectionName(of tensor: TensorReference) -> String {
        let call = if case .layer(let index) = tensor, layers[index].nestedModel == nil { layers[index].callIndex } else { 0 }
        return "\(summaryName(of: tensor))[\(call)][0]"
    }

    /// What Keras names a tensor in `Connected to`: the nested model that made it, if one did.
    public func summaryName(of tensor: TensorReference) -> String {
        if case .layer(let index) = tensor, let nested = layers[index].nestedModel { return nestedModels[nested].name }
        return name(of: tensor)
    }

    /// The graph with each nested model as one node: the inputs, then the
    /// other layers and the nested models in the order they first appear.
    private var foldedGraph: (units: [SummaryRow], reads: [[Int]], outputs: [Int]) {
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
        // A shared layer is one row for all its calls, as Keras prints it.
        for (index, layer) in layers.enumerated() {
            if let owner = layer.sharesWeightsOf { unitOfLayer[index] = unitOfLayer[owner] }
        }
        func node(_ tensor: TensorReference) -> Int {
            switch tensor {
            case .input(let index): index
            case .layer(let index): inputs.count + unitOfLayer[index]
            }
        }
        var reads = [[Int]](repeating: [], count: inputs.count)
        for unit in units {
            switch unit {
            case .layer(let index):
                // A call that reads an earlier call of the same layer is no edge of the folded graph.
                let own = inputs.count + unitOfLayer[index]
                reads.append(calls(of: index).flatMap { layers[$0].inputs.map(node) }.filter { $0 != own })
            case .nestedModel(let index): reads.append(nestedModels[index].inputs.map(node))
            case .input: reads.append([])
            }
        }
        return (units, reads, outputs.map(node))
    }
}
