/// Where each tensor's gradient goes in a graph's backward pass.
///
/// The backward pass visits layers in reverse order (the checked model's order
/// puts every layer after the layers it reads). A tensor read by exactly one
/// layer, the next one, through that layer's only input, gets its gradient in
/// `g` straight from it: the chain case, with no copy. Any other tensor (read
/// by several layers, by a merge, or by a later layer across others) sums the
/// gradients of its readers in a slot of its own; the first reader to reach
/// it sets the slot, the others add. The model's input (tensor -1) read by
/// one single-input layer gets its gradient written straight to the caller.
struct GradientRoutes {
    /// A layer reading a tensor as its `position`-th input.
    struct Reader: Hashable {
        var layer: Int
        var position: Int
    }

    /// Each tensor's readers (-1: the model's input), in the order the backward
    /// pass reaches them: later layers first, a merge's inputs in order.
    let readers: [Int: [Reader]]
    /// The tensors each layer reads, in order.
    let reads: [[Int]]
    var firstReads: [Int] { reads.map { $0.first ?? -1 } }

    init(_ model: CheckedModel) {
        var readers: [Int: [Reader]] = [:]
        for (index, layer) in model.layers.enumerated().reversed() {
            for (position, tensor) in layer.inputs.enumerated() {
                readers[Self.tensor(tensor), default: []].append(Reader(layer: index, position: position))
            }
        }
        self.readers = readers
        reads = model.layers.map { $0.inputs.map(Self.tensor) }
    }

    /// -1 for the model's input, else the layer's index.
    static func tensor(_ reference: TensorReference) -> Int {
        switch reference {
        case .input: -1
        case .layer(let index): index
        }
    }

    /// Whether the tensor sums its gradient in a slot (see the type's comment).
    func needsSlot(_ tensor: Int) -> Bool {
        // The output has no reader: the loss writes its gradient into `g`.
        guard let readers = readers[tensor] else { return false }
        guard readers.count == 1, let only = readers.first else { return true }
        guard reads[only.layer].count == 1 else { return true }
        return tensor >= 0 && only.layer != tensor + 1
    }

    /// Whether this reader's contribution is the first to reach the tensor's slot (it sets it; the rest add).
    func isFirstContribution(to tensor: Int, from reader: Reader) -> Bool {
        readers[tensor]?.first == reader
    }
}
