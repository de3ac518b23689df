/// Output shapes of layers that read several tensors, by Keras's rules.
///
/// Add, Subtract, Multiply, Average, Maximum and Minimum broadcast as numpy
/// does from the last axis: two sizes agree when they are equal or one is 1,
/// and a tensor of lower rank lines up with the last axes of the others
/// (Keras gives it axes of size 1 after the batch axis). Concatenate needs
/// inputs of one rank, equal everywhere but along its axis.
enum MergeShapes {
    /// One input tensor: where it comes from (for messages) and its shape.
    struct Operand {
        var name: String
        var shape: TensorShape
    }

    static func infer(_ operation: LayerOperation, className: String, inputs: [Operand]) -> Result<TensorShape, ShapeError> {
        guard let first = inputs.first else { return .failure(ShapeError("\(className) needs at least one input")) }
        switch operation {
        case .merge(let merge):
            if merge.takesTwoInputs && inputs.count != 2 {
                let order = merge == .subtract ? "the first minus the second" : "the shortcut, then the branch it scales"
                return .failure(ShapeError("\(className) takes exactly 2 inputs (\(order)), got \(inputs.count)"))
            }
            var shape = first.shape
            for operand in inputs.dropFirst() {
                guard let broadcast = broadcast(shape, operand.shape) else {
                    let shapes = inputs.map { "\($0.shape) from '\($0.name)'" }.joined(separator: ", ")
                    return .failure(ShapeError("\(className) cannot combine \(shapes): sizes must be equal, or 1 to be repeated"))
                }
                shape = broadcast
            }
            return .success(shape)
        case .concatenate(let config):
            return concatenate(config, inputs: inputs)
        default:
            return .failure(ShapeError("\(className) reads one tensor, but \(inputs.count) are given: \(inputs.map { "'\($0.name)'" }.joined(separator: ", ")); merge them first with Add or Concatenate"))
        }
    }

    /// numpy's broadcast of two shapes, or nil when a pair of sizes disagrees.
    static func broadcast(_ a: TensorShape, _ b: TensorShape) -> TensorShape? {
        let (long, short) = a.rank >= b.rank ? (a.dimensions, b.dimensions) : (b.dimensions, a.dimensions)
        var result = Array(long.prefix(long.count - short.count))
        for (x, y) in zip(long.suffix(short.count), short) {
            guard x == y || x == 1 || y == 1 else { return nil }
            result.append(x == 1 ? y : x)
        }
        return TensorShape(result)
    }

    private static func concatenate(_ config: ConcatenateConfig, inputs: [Operand]) -> Result<TensorShape, ShapeError> {
        let rank = inputs[0].shape.rank
        let shapes = inputs.map { "\($0.shape) from '\($0.name)'" }.joined(separator: ", ")
        guard inputs.allSatisfy({ $0.shape.rank == rank }) else {
            return .failure(ShapeError("Concatenate needs inputs of one rank, got \(shapes)"))
        }
        guard let axis = config.sampleAxis(rank: rank) else {
            return .failure(ShapeError("Concatenate axis \(config.axis) does not name an axis of a sample of \(inputs[0].shape): use 1 to \(rank), or -1 to -\(rank)"))
        }
        var dimensions = inputs[0].shape.dimensions
        for operand in inputs.dropFirst() {
            for index in dimensions.indices where index != axis && operand.shape.dimensions[index] != dimensions[index] {
                return .failure(ShapeError("Concatenate along axis \(config.axis) needs equal sizes on every other axis, got \(shapes)"))
            }
            guard let joined = CheckedArithmetic.sum(dimensions[axis], operand.shape.dimensions[axis]) else {
                return .failure(ShapeError("the concatenated size overflows"))
            }
            dimensions[axis] = joined
        }
        return .success(TensorShape(dimensions))
    }
}
