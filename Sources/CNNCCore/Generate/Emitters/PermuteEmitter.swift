/// Permute's forward function, and its backward one (the same copy with the
/// inverse order, from dL/dy to dL/dx).
///
/// The arena is flat and channels last: output element (i0, i1, …) is input
/// element (i0, i1, …) read through the input's strides in the permuted
/// order. Output axes that keep their place at the end (channels, when the
/// permutation leaves them last) form one contiguous run, copied whole;
/// otherwise the last output axis is a strided loop over the input.
struct PermuteEmitter: Codable, Hashable {
    var function: String
    /// The tensor read (the layer's input; dL/dy for the backward pass).
    var input: TensorShape
    /// Output axis i reads input axis `order[i]` (from 0).
    var order: [Int]
    var isGradient = false

    /// `function(x, y)`, or `function(dy, dx)` for a gradient.
    func emit(into out: inout SourceWriter) {
        let (source, target) = isGradient ? ("dy", "dx") : ("x", "y")
        let output = order.map { input.dimensions[$0] }
        let inputStrides = Self.strides(input.dimensions)
        let outputStrides = Self.strides(output)
        // The trailing output axes that are the input's trailing axes in order.
        var run = 0
        while run < order.count, order[order.count - 1 - run] == input.rank - 1 - run { run += 1 }
        let outer = order.count - max(run, 1)
        let loops = (0..<outer).filter { output[$0] > 1 }
        /// `base` moved to the loops' element: `x + i0 * 12 + i1`.
        func at(_ base: String, _ strides: (Int) -> Int) -> String {
            ([base] + loops.map { strides($0) == 1 ? "i\($0)" : "i\($0) * \(strides($0))" }).joined(separator: " + ")
        }
        out.line("@inline(never)")
        out.block("static func \(function)(_ \(source): UnsafePointer<Float>, _ \(target): UnsafeMutablePointer<Float>)") { out in
            func body(_ depth: Int, _ out: inout SourceWriter) {
                guard depth == loops.count else {
                    let axis = loops[depth]
                    out.block("for i\(axis) in 0..<\(output[axis])") { out in body(depth + 1, &out) }
                    return
                }
                let read = at(source, { inputStrides[order[$0]] }), write = at(target, { outputStrides[$0] })
                if run > 0 {
                    let count = output[outer...].reduce(1, *)
                    out.line("\(loops.isEmpty ? write : "(\(write))").update(from: \(read), count: \(count))")
                } else {
                    let last = order.count - 1
                    out.line("let (from, to) = (\(read), \(write))")
                    out.line("for i in 0..<\(output[last]) { to[i] = from[i * \(inputStrides[order[last]])] }")
                }
            }
            body(0, &out)
        }
    }

    /// Row-major strides of a shape: the last axis is contiguous.
    private static func strides(_ dimensions: [Int]) -> [Int] {
        dimensions.indices.map { dimensions[($0 + 1)...].reduce(1, *) }
    }
}
