/// The backward pass of a merge layer: from dL/dy (`dy`) to each input's
/// gradient slot (`dx0`, `dx1`, …), one loop per input with constant bounds.
/// A slot that already holds another reader's contribution is added to,
/// otherwise set (`accumulates`, decided by the plan). A broadcast input
/// (Multiply of (H, W, C) by (1, 1, C)) sums dy over the axes it was
/// broadcast along, as the chain rule and Keras's gradient do.
///
/// - Add: dx = dy; Subtract: dx0 = dy, dx1 = −dy; Average: dy / n;
///   CustomScaleLayer: dx0 = dy, dx1 = dy · scale.
/// - Multiply: dy times the other inputs at that position.
/// - Maximum, Minimum: dy goes to the first input equal to the result (ties
///   go to the earlier input, as TensorFlow's gradient of a pairwise fold does).
/// - Concatenate: each input takes back its slabs.
struct MergeBackwardEmitter {
    /// Which forward values the backward pass needs besides dy.
    enum Reads {
        case nothing, inputs, inputsAndOutput
    }

    static func reads(_ operation: LayerOperation) -> Reads {
        switch operation {
        case .merge(.multiply): .inputs
        case .merge(.maximum), .merge(.minimum): .inputsAndOutput
        default: .nothing
        }
    }

    /// Whether dL/d(input `position`) is dy itself, so it can stay in `g`.
    static func passesGradientThrough(_ operation: LayerOperation, position: Int) -> Bool {
        switch operation {
        case .merge(.add): true
        case .merge(.subtract), .merge(.scaledAdd): position == 0
        default: false
        }
    }

    var function: String
    var kernel: InferenceKernel
    var accumulates: [Bool]
    /// The input whose gradient (dy itself) stays in `g`: no loop, no parameter.
    var leftInG: Int? = nil

    /// `Self.<function>_backward(dy, [x0, …, y,] dx0, …)`, with the arena names of each.
    func call(dy: String, inputs: [String], output: String, slots: [String]) -> String {
        var arguments = [dy]
        switch kernel {
        case .merge(let merge):
            switch Self.reads(.merge(merge.operation)) {
            case .nothing: break
            case .inputs: arguments += inputs
            case .inputsAndOutput: arguments += inputs + [output]
            }
        default: break
        }
        let written = slots.indices.filter { $0 != leftInG }.map { slots[$0] }
        return "Self.\(function)_backward(\((arguments + written).joined(separator: ", ")))"
    }

    func emit(into out: inout SourceWriter) {
        switch kernel {
        case .merge(let merge): emitMerge(merge, into: &out)
        case .concatenate(let concatenate): emitConcatenate(concatenate, into: &out)
        default: return
        }
    }

    private func signature(inputCount: Int, reads: Reads) -> String {
        var parameters = ["_ dy: UnsafePointer<Float>"]
        if reads != .nothing { parameters += (0..<inputCount).map { "_ x\($0): UnsafePointer<Float>" } }
        if reads == .inputsAndOutput { parameters.append("_ y: UnsafePointer<Float>") }
        parameters += (0..<inputCount).filter { $0 != leftInG }.map { "_ dx\($0): UnsafeMutablePointer<Float>" }
        return "static func \(function)_backward(\(parameters.joined(separator: ", ")))"
    }

    private func emitMerge(_ merge: MergeEmitter, into out: inout SourceWriter) {
        let reads = Self.reads(.merge(merge.operation))
        let output = merge.outputShape
        let dimensions = output.dimensions
        let axes = dimensions.indices.map { "i\($0)" }
        let strides = dimensions.indices.map { dimensions[($0 + 1)...].reduce(1, *) }
        let count = merge.inputShapes.count
        out.line("// \(merge.operation.className): dL/dx of each input from dL/dy")
        out.line("@inline(never)")
        out.block(signature(inputCount: count, reads: reads)) { out in
            let sameShapes = merge.inputShapes.allSatisfy { $0 == output }
            for (input, shape) in merge.inputShapes.enumerated() where input != leftInG {
                let assign = accumulates[input] ? "+=" : "="
                if sameShapes {
                    // One shape everywhere: a flat loop, every tensor at the same index.
                    let value = contribution(merge, to: input, dy: "dy[i]", at: { _ in "i" }, output: "y[i]")
                    out.line("for i in 0..<\(output.elementCount) { dx\(input)[i] \(assign) \(value) }")
                    continue
                }
                // Broadcasting: loops over the output's positions, each tensor at its
                // own index; a broadcast input sums over the positions that read it.
                let broadcast = shape != output
                if broadcast && !accumulates[input] { out.line("dx\(input).update(repeating: 0, count: \(shape.elementCount))") }
                let flat = MergeEmitter.flatIndex(axes: axes, strides: strides)
                let value = contribution(merge, to: input, dy: "dy[\(flat)]", at: merge.index(of:), output: "y[\(flat)]")
                var loops = ""
                for (axis, size) in dimensions.enumerated() { loops += "for \(axes[axis]) in 0..<\(size) { " }
                out.line("\(loops)dx\(input)[\(merge.index(of: input))] \(broadcast ? "+=" : assign) \(value)\(String(repeating: " }", count: dimensions.count))")
            }
        }
        out.line()
    }

    /// dL/dy times ∂y/∂x_input at one position; `at(k)` is input k's index there.
    private func contribution(_ merge: MergeEmitter, to input: Int, dy: String, at index: (Int) -> String, output: String) -> String {
        let count = merge.inputShapes.count
        func x(_ k: Int) -> String { "x\(k)[\(index(k))]" }
        switch merge.operation {
        case .add: return dy
        case .subtract: return input == 0 ? dy : "-\(dy)"
        case .scaledAdd(let scale): return input == 0 ? dy : "\(dy) * \(ElementwiseEmitter.literal(scale))"
        case .average: return "\(dy) / \(count)"
        case .multiply:
            let others = (0..<count).filter { $0 != input }.map(x)
            return ([dy] + others).joined(separator: " * ")
        case .maximum, .minimum:
            // The first input equal to the result takes the gradient.
            let conditions = (0..<input).map { "\(x($0)) != \(output)" } + ["\(x(input)) == \(output)"]
            return "(\(conditions.joined(separator: " && ")) ? \(dy) : 0)"
        }
    }

    private func emitConcatenate(_ concatenate: ConcatenateEmitter, into out: inout SourceWriter) {
        let dimensions = concatenate.outputShape.dimensions
        let axis = concatenate.axis
        let outer = dimensions[..<axis].reduce(1, *)
        let inner = dimensions[(axis + 1)...].reduce(1, *)
        let run = dimensions[axis] * inner
        out.line("// Concatenate: each input's slabs of dL/dy")
        out.line("@inline(never)")
        out.block(signature(inputCount: concatenate.inputShapes.count, reads: .nothing)) { out in
            var offset = 0
            for (input, shape) in concatenate.inputShapes.enumerated() {
                let count = shape.dimensions[axis] * inner
                let source = offset == 0 ? "dy" : "(dy + \(offset))"
                if accumulates[input], outer == 1 {
                    out.line("for t in 0..<\(count) { dx\(input)[t] += \(source)[t] }")
                } else if accumulates[input] {
                    out.line("for o in 0..<\(outer) { for t in 0..<\(count) { dx\(input)[o * \(count) + t] += \(source)[o * \(run) + t] } }")
                } else if outer == 1 {
                    out.line("dx\(input).update(from: \(source), count: \(count))")
                } else {
                    out.line("for o in 0..<\(outer) { (dx\(input) + o * \(count)).update(from: \(source) + o * \(run), count: \(count)) }")
                }
                offset += count
            }
        }
        out.line()
    }
}
