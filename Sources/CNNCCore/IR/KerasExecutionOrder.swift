/// The order in which Keras runs the calls of a Functional model
/// (`_run_through_graph` over `map_graph`'s `nodes_by_depth`, in
/// keras/src/ops/function.py), which is not the order of `model.layers`:
/// by decreasing depth, and within a depth in the order `map_graph` first
/// gave each call a depth, walking the calls from the outputs back with
/// every call of a shared layer at the deepest of its calls' depths.
///
/// What depends on it: a BatchNormalization called twice in a training step
/// moves its moving statistics once for each call, the second update
/// starting from the first's, so the order of its calls decides where they
/// end (two calls whose branches meet in a Concatenate run the later call
/// first in Keras).
///
/// The calls of a nested model are taken as calls of this graph, where Keras
/// runs a nested model as one call: the order of a shared layer's calls
/// inside one nested model may then differ from Keras's.
enum KerasExecutionOrder {
    /// Each layer's place in the order in which Keras runs them (layers no
    /// output depends on after the rest, in layer order).
    static func ranks(of model: CheckedModel) -> [Int] {
        let inputCount = model.inputs.count
        func node(_ tensor: TensorReference) -> Int {
            switch tensor {
            case .input(let index): index
            case .layer(let index): inputCount + index
            }
        }
        let reads = Array(repeating: [], count: inputCount) + model.layers.map { $0.inputs.map(node) }
        let outputs = model.outputs.map(node)
        guard case .success(let graph) = KerasGraphOrder.compute(reads: reads, inputs: Array(0..<inputCount), outputs: outputs) else {
            return Array(model.layers.indices)
        }
        // A node's operation: a later call of a shared layer is its first call's.
        func operation(_ node: Int) -> Int {
            guard node >= inputCount else { return node }
            return inputCount + (model.layers[node - inputCount].sharesWeightsOf ?? node - inputCount)
        }
        // `nodes_depths`, a dictionary that keeps the order of first insertion.
        var depth: [Int: Int] = [:]
        var inserted: [Int] = []
        func setDepth(_ node: Int, _ value: Int) {
            if depth[node] == nil { inserted.append(node) }
            depth[node] = value
        }
        var operationDepth: [Int: Int] = [:]
        for node in graph.topological.reversed() {
            if depth[node] == nil { setDepth(node, 0) }
            let value = max(depth[node] ?? 0, operationDepth[operation(node)] ?? 0)
            operationDepth[operation(node)] = value
            setDepth(node, value)
            for parent in reads[node] where graph.reached[parent] {
                setDepth(parent, max(value + 1, depth[parent] ?? 0))
            }
        }
        let run = inserted.enumerated()
            .sorted { (-(depth[$0.element] ?? 0), $0.offset) < (-(depth[$1.element] ?? 0), $1.offset) }
            .map(\.element)
            .filter { $0 >= inputCount }
        var ranks = Array(repeating: Int.max, count: model.layers.count)
        for (rank, node) in run.enumerated() { ranks[node - inputCount] = rank }
        for index in model.layers.indices where ranks[index] == .max { ranks[index] = run.count + index }
        return ranks
    }
}
