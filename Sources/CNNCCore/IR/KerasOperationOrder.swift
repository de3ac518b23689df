/// Keras's order of a Functional model's operations when some operation is
/// called more than once (a shared layer) or stands for a nested model:
/// `map_graph` in keras/src/ops/function.py, node by node, as Keras does it.
/// `KerasGraphOrder` is the same walk where every operation has one node.
///
/// The depth-first walk from the outputs numbers each operation when it
/// first meets any of its nodes. Going back over the nodes from the outputs,
/// a node's depth is raised to the deepest its operation has reached so far,
/// its operation takes that depth, and its parents lie at least one deeper:
/// so an operation's depth depends on the order of its nodes, and a shared
/// layer that reads its own output (`act(dense(act(x)))`) still puts the
/// input below it. Operations are listed by decreasing depth, ties by their
/// number; inputs no output reads come first among depth 0, in input order.
struct KerasOperationOrder {
    /// The operations in Keras's order (`model.layers`, the summary's rows).
    var operations: [Int]
    /// Whether Keras's summary prints the model with Sequential's three
    /// columns: one node at every depth, none reading more than one tensor,
    /// and no operation with two nodes in the model.
    var isSequentialLike: Bool

    /// `operation[n]` is node n's operation; `reads[n]` the nodes it reads,
    /// in order (empty for inputs); `inputs` the model inputs' nodes.
    /// Nil when a node reads itself (the checker has refused such a graph).
    static func compute(operation: [Int], reads: [[Int]], inputs: [Int], outputs: [Int]) -> KerasOperationOrder? {
        let nodeCount = operation.count
        let operationCount = (operation.max() ?? -1) + 1
        enum State { case unvisited, inProgress, finished }
        var state = [State](repeating: .unvisited, count: nodeCount)
        var index = [Int?](repeating: nil, count: operationCount)
        var numbered = 0
        var postOrder: [Int] = []
        // An explicit stack, so a deep graph cannot overflow the call stack.
        var stack: [(node: Int, next: Int)] = []
        func enter(_ node: Int) -> Bool {
            switch state[node] {
            case .finished: return true
            case .inProgress: return false
            case .unvisited:
                if index[operation[node]] == nil { index[operation[node]] = numbered; numbered += 1 }
                state[node] = .inProgress
                stack.append((node, 0))
                return true
            }
        }
        for output in outputs {
            guard enter(output) else { return nil }
            while let top = stack.last {
                if top.next < reads[top.node].count {
                    stack[stack.count - 1].next += 1
                    guard enter(reads[top.node][top.next]) else { return nil }
                } else {
                    state[top.node] = .finished
                    postOrder.append(top.node)
                    stack.removeLast()
                }
            }
        }
        var nodeDepth = [Int?](repeating: nil, count: nodeCount)
        var operationDepth = [Int?](repeating: nil, count: operationCount)
        for node in postOrder.reversed() {
            let depth = max(nodeDepth[node] ?? 0, operationDepth[operation[node]] ?? 0)
            operationDepth[operation[node]] = depth
            nodeDepth[node] = depth
            for parent in reads[node] { nodeDepth[parent] = max(depth + 1, nodeDepth[parent] ?? 0) }
        }
        // Inputs no output reads: depth 0, numbered -1 (so first), in input order.
        var unread: [Int] = []
        for input in inputs where operationDepth[operation[input]] == nil {
            operationDepth[operation[input]] = 0
            nodeDepth[input] = 0
            unread.append(operation[input])
        }
        let listed = (0..<operationCount).filter { operationDepth[$0] != nil }
        let operations = listed.sorted { a, b in
            let (keyA, keyB) = (index[a] ?? -1, index[b] ?? -1)
            if operationDepth[a]! != operationDepth[b]! { return operationDepth[a]! > operationDepth[b]! }
            if keyA != keyB { return keyA < keyB }
            return (unread.firstIndex(of: a) ?? 0) < (unread.firstIndex(of: b) ?? 0)
        }
        let graphNodes = (0..<nodeCount).filter { nodeDepth[$0] != nil }
        var nodesAtDepth: [Int: Int] = [:]
        for node in graphNodes { nodesAtDepth[nodeDepth[node]!, default: 0] += 1 }
        var nodesOfOperation = [Int](repeating: 0, count: operationCount)
        for node in graphNodes { nodesOfOperation[operation[node]] += 1 }
        let sequentialLike = nodesAtDepth.values.allSatisfy { $0 == 1 } && graphNodes.allSatisfy { reads[$0].count <= 1 }
            && nodesOfOperation.allSatisfy { $0 <= 1 }
        return KerasOperationOrder(operations: operations, isSequentialLike: sequentialLike)
    }
}
