/// Renders the block path (see `BatchedTailProgram`): `predict(block:into:arena:)`,
/// its per-sample head, and the tail's layer functions over a block's rows.
struct BatchedTailRenderer {
    let tail: BatchedTailProgram

    private var width: Int { tail.width }
    private var inputWidth: Int { tail.inputWidth }

    /// `predict(block:into:arena:)` and its per-sample head. `headForward` is
    /// the forward pass's calls for the layers before the tail, a writer per
    /// layer, which leave their result in `headResult` (`input`, `a` or `b`).
    func emitEntryPoint(headForward: [SourceWriter], headResult: String, into out: inout SourceWriter) {
        var tailFunctions = SourceWriter(), tailBody = SourceWriter()
        emit(functions: &tailFunctions, body: &tailBody)
        let samples = BatchedTailProgram.samples
        out.doc("Samples that `predict(block:into:arena:)` runs at once, sharing each Dense weight loaded.")
        out.line("public static let blockSamples = \(samples)")
        out.doc("Scratch for a block: one sample's arena, then two buffers of \(samples) rows of \(width) floats.")
        out.line("public static let blockArenaCount = arenaCount + \(2 * samples * width)")
        out.line()
        out.doc("The forward pass over `blockSamples` samples, one after another in `input` and",
                "`output`: each sample alone up to the last image layer, then the layers from",
                "\(tail.startLayerName) on over all of them at once. The same values as `predict` sample by sample.")
        out.block("public func predict(block input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>)") { out in
            out.line("packed.withUnsafeBufferPointer { forwardBlock(input, output, arena, $0.baseAddress!) }")
        }
        out.line()
        out.line("@inline(__always)")
        out.block("private func forwardBlock(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>)") { out in
            out.line("let ta = arena + Self.arenaCount, tb = ta + \(samples * width)")
            out.block("for sample in 0..<\(samples)") { out in
                out.line("head(input + sample * Self.inputCount, ta + sample * \(inputWidth), arena, w)")
            }
            out.embed(tailBody.text)
            out.line("output.update(from: \(tail.result.rawValue), count: \(samples) * Self.outputCount)")
        }
        out.line()
        out.doc("One sample through the layers before \(tail.startLayerName), its result copied to `destination`.")
        var layers = headForward
        layers[layers.count - 1].line("destination.update(from: \(headResult), count: \(inputWidth))")
        LayerRunFunctions.inference("head", result: "destination", observed: false, layers: layers).emit(into: &out)
        out.line()
        out.embed(tailFunctions.text)
    }

    /// The tail's layer functions into `functions`, and into `body` the calls
    /// that run them over `ta` (which holds the block's input rows) and `tb`.
    private func emit(functions: inout SourceWriter, body: inout SourceWriter) {
        for step in tail.steps {
            let comment = step.comment
            body.line("// \(comment)")
            switch step.kernel {
            case .dense(let kernel, let activation):
                functions.line("// \(comment)")
                kernel.emit(into: &functions)
                functions.line()
                body.line("Self.\(kernel.function)(UnsafePointer(\(step.reads.rawValue)), w, \(step.writes.rawValue))")
                if let post = activation {
                    functions.line("// \(step.layer.name) over \(BatchedTailProgram.samples) samples: its \(step.layer.operation.fusedActivation.rawValue) activation")
                    post.emit(into: &functions)
                    functions.line()
                    body.line("Self.\(post.function)(\(step.writes.rawValue))")
                }
            case .inPlace(let kernel):
                functions.line("// \(comment)")
                kernel.emit(into: &functions)
                functions.line()
                body.line(kernel.needsWeights ? "Self.\(kernel.function)(\(step.writes.rawValue), w)" : "Self.\(kernel.function)(\(step.writes.rawValue))")
            case .nothing:
                body.line("// (no computation at inference)")
            }
        }
    }
}
