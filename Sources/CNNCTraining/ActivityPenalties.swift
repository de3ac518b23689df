import CNNCRuntime

/// One ActivityRegularization layer's penalty, l1·Σ|x| + l2·Σx² over a
/// sample's values, which cnnc tells the model executable by layer name.
public struct ActivityPenalty: Codable, Sendable, Equatable {
    public var layer: String
    public var l1: Double
    public var l2: Double

    public init(layer: String, l1: Double, l2: Double) {
        self.layer = layer
        self.l1 = l1
        self.l2 = l2
    }
}

/// ActivityRegularization's penalty at inference. Keras adds it to the loss
/// whenever the layer runs (`Layer.__call__`: the regularizer of the output,
/// divided by the batch size), so `evaluate`, `val_loss` and the test loss
/// include it; the training step adds it in the generated code. Here each
/// sample runs once more, observing the regularized layers' outputs: only
/// models with such a layer pay for it.
struct ActivityPenalties<Model: CompiledModel> {
    /// By index in `Model.layers`: the factors and how many values the layer's output has.
    private let terms: [(index: Int, l1: Double, l2: Double)]

    /// nil when there are none; a layer the model does not have is an error.
    init?(_ penalties: [ActivityPenalty]) throws(RuntimeError) {
        guard !penalties.isEmpty else { return nil }
        var terms: [(index: Int, l1: Double, l2: Double)] = []
        for penalty in penalties {
            guard let index = Model.layers.firstIndex(where: { $0.name == penalty.layer }) else {
                throw RuntimeError("the model has no layer '\(penalty.layer)' whose activity penalty was asked for")
            }
            terms.append((index, penalty.l1, penalty.l2))
        }
        self.terms = terms
    }

    /// Each of `count` samples' penalty (inputs back to back in `input`).
    func values(_ model: Model, input: UnsafePointer<Float>, count: Int) -> [Double] {
        let arena = ModelArena(count: Model.arenaCount)
        var output = [Float](repeating: 0, count: Model.outputCount)
        return (0..<count).map { sample in
            var total = 0.0
            output.withUnsafeMutableBufferPointer { output in
                model.predict(input + sample * Model.inputCount, into: output.baseAddress!, arena: arena.pointer) { index, values in
                    for term in terms where term.index == index {
                        var l1 = 0.0, l2 = 0.0
                        for position in 0..<Model.layers[index].outputShape.reduce(1, *) {
                            let value = Double(values[position])
                            l1 += Swift.abs(value)
                            l2 += value * value
                        }
                        total += term.l1 * l1 + term.l2 * l2
                    }
                }
            }
            return total
        }
    }
}
