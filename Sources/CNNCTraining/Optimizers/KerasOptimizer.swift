import CNNCRuntime

/// An `Optimizer` made of a Keras update rule and its state: the rule's slots
/// (Keras's optimizer variables: momentum, velocity, …), `parameterCount`
/// floats each in one contiguous buffer, and the iteration count.
struct KerasOptimizer<Rule: UpdateRule>: Optimizer {
    let configuration: OptimizerConfiguration
    let parameterCount: Int
    private(set) var iterations = 0
    private let slotNames: [String]
    private var slots: [Float]

    init(_ configuration: OptimizerConfiguration, parameterCount: Int) {
        self.configuration = configuration
        self.parameterCount = parameterCount
        slotNames = Rule.slotNames(configuration)
        // One float more than needed so the buffer always has an address.
        slots = [Float](repeating: 0, count: slotNames.count * parameterCount + 1)
    }

    mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int) {
        precondition(count == parameterCount, "the \(configuration.kind.rawValue) optimizer was made for \(parameterCount) parameters, not \(count)")
        let (slotCount, iterations, configuration) = (slotNames.count, iterations, configuration)
        slots.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { preconditionFailure("optimizer slots always hold at least one float") }
            Rule.update(parameters: parameters, gradients: gradients, count: count,
                        slots: (0..<slotCount).map { base + $0 * count }, iterations: iterations, configuration: configuration)
        }
        self.iterations += 1
    }

    var state: [String: [Float]] {
        var state = ["iterations": [Float(iterations)]]
        for (index, name) in slotNames.enumerated() {
            state[name] = Array(slots[(index * parameterCount)..<((index + 1) * parameterCount)])
        }
        return state
    }

    /// Every problem with `state` is named at once, and nothing changes unless there is none.
    mutating func restore(_ state: [String: [Float]]) throws(RuntimeError) {
        var problems: [String] = []
        var restoredIterations = 0
        if let saved = state["iterations"], saved.count == 1, let whole = Int(exactly: saved[0]), whole >= 0 {
            restoredIterations = whole
        } else {
            problems.append("'iterations' must be one whole number of at least 0")
        }
        for name in slotNames {
            guard let saved = state[name] else {
                problems.append("missing '\(name)'")
                continue
            }
            if saved.count != parameterCount { problems.append("'\(name)' has \(saved.count) values; the model has \(parameterCount) parameters") }
        }
        let expected = ["iterations"] + slotNames
        let unexpected = state.keys.filter { !expected.contains($0) }.sorted()
        if !unexpected.isEmpty { problems.append("unexpected \(unexpected.map { "'\($0)'" }.joined(separator: ", "))") }
        guard problems.isEmpty else {
            throw RuntimeError("the optimizer state does not fit \(configuration) (which keeps \(expected.joined(separator: ", "))):\n  "
                + problems.joined(separator: "\n  "))
        }
        iterations = restoredIterations
        for (index, name) in slotNames.enumerated() {
            if let saved = state[name] { slots.replaceSubrange((index * parameterCount)..<((index + 1) * parameterCount), with: saved) }
        }
    }
}
