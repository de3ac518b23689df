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
///
/// A model of several inputs numbers them -1, -2, …, and sums each one's
/// gradient in a slot, copied to its place in the caller's packed
/// `inputGradient` at the end. A model output the loss is not alone in
/// reading (several outputs, or an output other layers read too) gets a slot
/// that the loss sets first: `seededByLoss`.
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
    let inputCount: Int
    /// The output tensors whose slot the loss's gradient sets before any reader adds to it.
    let seededByLoss: Set<Int>

    init(_ model: CheckedModel) {
        var readers: [Int: [Reader]] = [:]
        for (index, layer) in model.layers.enumerated().reversed() {
            for (position, tensor) in layer.inputs.enumerated() {
                readers[Self.tensor(tensor), default: []].append(Reader(layer: index, position: position))
            }
        }
        self.readers = readers
        reads = model.layers.map { $0.inputs.map(Self.tensor) }
        inputCount = model.inputs.count
        let outputs = model.outputs.map(Self.tensor)
        seededByLoss = outputs.count > 1 ? Set(outputs) : Set(outputs.filter { readers[$0] != nil })
    }

    /// -1 for the model's first input (-2 for its second, …), else the layer's index.
    static func tensor(_ reference: TensorReference) -> Int {
        switch reference {
        case .input(let index): -1 - index
        case .layer(let index): index
        }
    }

    /// The position in the model's inputs of tensor `tensor` (< 0).
    static func input(_ tensor: Int) -> Int { -1 - tensor }

    /// Every input tensor, -1 first.
    var inputTensors: [Int] { (0..<inputCount).map { -1 - $0 } }

    /// Whether the tensor sums its gradient in a slot (see the type's comment).
    func needsSlot(_ tensor: Int) -> Bool {
        if seededByLoss.contains(tensor) { return true }
        // The output has no reader: the loss writes its gradient into `g`.
        guard let readers = readers[tensor] else { return false }
        if tensor < 0 && inputCount > 1 { return true }
        guard readers.count == 1, let only = readers.first else { return true }
        guard reads[only.layer].count == 1 else { return true }
        return tensor >= 0 && only.layer != tensor + 1
    }

    /// Whether this reader's contribution is the first to reach the tensor's slot (it sets it; the rest add).
    func isFirstContribution(to tensor: Int, from reader: Reader) -> Bool {
        !seededByLoss.contains(tensor) && readers[tensor]?.first == reader
    }
}
