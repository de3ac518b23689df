/// The order Keras gives the operations of a Functional model (`map_graph`
/// in keras/src/ops/function.py): the order of `model.layers`, of the
/// summary's rows and of the layers in `to_json()`.
///
/// A depth-first walk from the outputs, in order, visits each node's inputs
/// in order and numbers nodes as it first meets them. A node's depth is the
/// longest path from it to an output. Nodes are listed by decreasing depth,
/// ties by that number; inputs that no output reads come at depth 0 before
/// the rest. Nodes are numbered `0..<reads.count`: model inputs and layers alike.
struct KerasGraphOrder {
    /// Every node an output depends on, and every model input, in Keras's order.
    var order: [Int]
    /// Each node's depth (0 for nodes no output depends on).
    var depth: [Int]
    /// Whether an output depends on the node.
    var reached: [Bool]
    /// The nodes an output depends on, producers before their readers.
    var topological: [Int]

    /// A path of nodes that reads itself, first node repeated last.
    struct Cycle: Error {
        var path: [Int]
    }

    /// `reads[n]`: the nodes whose outputs node n reads, in order (empty for inputs).
    static func compute(reads: [[Int]], inputs: [Int], outputs: [Int]) -> Result<KerasGraphOrder, Cycle> {
        let count = reads.count
        enum State { case unvisited, inProgress, finished }
        var state = [State](repeating: .unvisited, count: count)
        var firstSeen = [Int](repeating: Int.max, count: count)
        var seen = 0
        var postOrder: [Int] = []
        // An explicit stack, so a deep graph cannot overflow the call stack.
        var stack: [(node: Int, next: Int)] = []
        for output in outputs where state[output] == .unvisited {
            firstSeen[output] = min(firstSeen[output], seen)
            seen += 1
            state[output] = .inProgress
            stack.append((output, 0))
            while let top = stack.last {
                if top.next < reads[top.node].count {
                    stack[stack.count - 1].next += 1
                    let child = reads[top.node][top.next]
                    switch state[child] {
                    case .finished: continue
                    case .inProgress:
                        let start = stack.firstIndex { $0.node == child } ?? 0
                        return .failure(Cycle(path: stack[start...].map(\.node) + [child]))
                    case .unvisited:
                        if firstSeen[child] == Int.max {
                            firstSeen[child] = seen
                            seen += 1
                        }
                        state[child] = .inProgress
                        stack.append((child, 0))
                    }
                } else {
                    state[top.node] = .finished
                    postOrder.append(top.node)
                    stack.removeLast()
                }
            }
        }
        var depth = [Int](repeating: 0, count: count)
        for node in postOrder.reversed() {
            for parent in reads[node] {
                depth[parent] = max(depth[parent], depth[node] + 1)
            }
        }
        let reached = state.map { $0 == .finished }
        // Inputs no output reads: depth 0, ahead of the other depth-0 nodes, in input order.
        for (position, input) in inputs.enumerated() where !reached[input] {
            firstSeen[input] = -inputs.count + position
        }
        let listed = (0..<count).filter { reached[$0] || inputs.contains($0) }
        let order = listed.sorted { (-depth[$0], firstSeen[$0]) < (-depth[$1], firstSeen[$1]) }
        return .success(KerasGraphOrder(order: order, depth: depth, reached: reached, topological: postOrder))
    }

    /// Keras prints a Functional model with Sequential's three columns when
    /// every depth holds one node and no node reads more than one tensor.
    func isSequentialLike(reads: [[Int]]) -> Bool {
        let depths = order.map { depth[$0] }
        return Set(depths).count == depths.count && order.allSatisfy { reads[$0].count <= 1 }
    }
}
