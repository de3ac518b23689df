/// Add, Subtract, Multiply, Average, Maximum, Minimum and CustomScaleLayer over their inputs,
/// into a tensor of their own. Inputs of the output's shape are read at the
/// output's index; a broadcast input (a size of 1, or fewer axes, lined up
/// from the last axis as numpy does) at an index whose broadcast axes are 0.
/// The loops have constant bounds and the index terms of broadcast axes are
/// left out, so `(H, W, C) × (1, 1, C)` reads `x1[c]`.
struct MergeEmitter: Codable, Hashable {
    var function: String
    var operation: MergeOperation
    var inputShapes: [TensorShape]
    var outputShape: TensorShape
    /// The ReLU after it, run in a second function (`function_fused`) at
    /// inference when no observer asks for the merge's own output (`EpilogueFusion`).
    var fusedClamp: StoreEpilogue.Clamp? = nil

    var fusedFunction: String { function + "_fused" }

    func emit(into out: inout SourceWriter) {
        emit(function, clamp: nil, into: &out)
        if let fusedClamp {
            out.line()
            emit(fusedFunction, clamp: fusedClamp, into: &out)
        }
    }

    private func emit(_ function: String, clamp: StoreEpilogue.Clamp?, into out: inout SourceWriter) {
        let parameters = inputShapes.indices.map { "_ x\($0): UnsafePointer<Float>" }.joined(separator: ", ")
        /// The statement that stores `value` at `index`, through the clamp if any.
        func store(_ index: String, _ value: String) -> String {
            guard let clamp else { return "y[\(index)] = \(value)" }
            return "let v = \(value); y[\(index)] = \(clamp.scalar("v"))"
        }
        out.line("@inline(never)")
        out.block("static func \(function)(\(parameters), _ y: UnsafeMutablePointer<Float>)") { out in
            if inputShapes.allSatisfy({ $0 == outputShape }) {
                // The same shape everywhere: one flat loop the compiler vectorizes.
                out.line("for i in 0..<\(outputShape.elementCount) { \(store("i", combine(inputShapes.indices.map { "x\($0)[i]" }))) }")
                return
            }
            let dimensions = outputShape.dimensions
            let axes = dimensions.indices.map { "i\($0)" }
            var loops = ""
            for (axis, size) in dimensions.enumerated() { loops += "for \(axes[axis]) in 0..<\(size) { " }
            let reads = inputShapes.indices.map { "x\($0)[\(index(of: $0))]" }
            let strides = dimensions.indices.map { dimensions[($0 + 1)...].reduce(1, *) }
            out.line("\(loops)\(store(Self.flatIndex(axes: axes, strides: strides), combine(reads)))\(String(repeating: " }", count: dimensions.count))")
        }
    }

    /// The value at one position, combined left to right as Keras does
    /// (Average divides the sum by the count, as `ops.divide` does).
    private func combine(_ values: [String]) -> String {
        switch operation {
        case .add: values.joined(separator: " + ")
        case .subtract: values.joined(separator: " - ")
        case .multiply: values.joined(separator: " * ")
        case .average: values.count == 1 ? values[0] : "(\(values.joined(separator: " + "))) / \(values.count)"
        case .maximum: values.dropFirst().reduce(values[0]) { "Swift.max(\($0), \($1))" }
        case .minimum: values.dropFirst().reduce(values[0]) { "Swift.min(\($0), \($1))" }
        case .scaledAdd(let scale): "\(values[0]) + \(values[1]) * \(ElementwiseEmitter.literal(scale))"
        }
    }

    /// Input `input`'s index at the output position (i0, i1, …). An axis of
    /// size 1 adds nothing: it is broadcast, or its index is always 0.
    func index(of input: Int) -> String {
        let shape = inputShapes[input].dimensions
        let skipped = outputShape.rank - shape.count
        let kept = shape.indices.filter { shape[$0] != 1 }
        return Self.flatIndex(axes: kept.map { "i\(skipped + $0)" }, strides: kept.map { shape[($0 + 1)...].reduce(1, *) })
    }

    /// `i0 * 48 + i1 * 8 + i2`, without factors of 1.
    static func flatIndex(axes: [String], strides: [Int]) -> String {
        let terms = zip(axes, strides).map { axis, stride in stride == 1 ? axis : "\(axis) * \(stride)" }
        return terms.isEmpty ? "0" : terms.joined(separator: " + ")
    }
}

/// Concatenate: each input's slabs copied side by side along one axis. With
/// `outer` the product of the sizes before the axis and `inner` of those
/// after, input k holds `outer` runs of `size_k · inner` floats, and the
/// output puts them at `offset_k · inner` within each of its runs.
struct ConcatenateEmitter: Codable, Hashable {
    var function: String
    var inputShapes: [TensorShape]
    var outputShape: TensorShape
    /// The axis of one sample it joins along.
    var axis: Int

    func emit(into out: inout SourceWriter) {
        let parameters = inputShapes.indices.map { "_ x\($0): UnsafePointer<Float>" }.joined(separator: ", ")
        let dimensions = outputShape.dimensions
        let outer = dimensions[..<axis].reduce(1, *)
        let inner = dimensions[(axis + 1)...].reduce(1, *)
        let run = dimensions[axis] * inner
        out.line("@inline(never)")
        out.block("static func \(function)(\(parameters), _ y: UnsafeMutablePointer<Float>)") { out in
            var offset = 0
            for (input, shape) in inputShapes.enumerated() {
                let count = shape.dimensions[axis] * inner
                let target = offset == 0 ? "y" : "(y + \(offset))"
                if outer == 1 {
                    out.line("\(target).update(from: x\(input), count: \(count))")
                } else {
                    out.line("for o in 0..<\(outer) { (\(target) + o * \(run)).update(from: x\(input) + o * \(count), count: \(count)) }")
                }
                offset += count
            }
        }
    }
}
