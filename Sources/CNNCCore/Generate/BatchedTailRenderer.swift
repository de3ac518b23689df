/// Renders the block path (see `BatchedTailProgram`): `predict(block:into:arena:)`,
/// its per-sample head, and the tail's layer functions over a block's rows.
struct BatchedTailRenderer {
    let tail: BatchedTailProgram

    private var width: Int { tail.width }
    private var inputWidth: Int { tail.inputWidth }

    /// `predict(block:into:arena:)` and its per-sample head. `headForward` is
    /// the forward pass's calls for the layers before the tail, a writer per
    /// layer, which leave their result in `headResult` (`input`, `a` or `b`);
    /// `layerMajorForward` the last of them, which run layer by layer over the
    /// block (`BatchedTailProgram.layerMajorStart`), each sample in its own
    /// arena (those marked in `layerMajorLoopsOverSamples` loop over the
    /// samples themselves). Without those, one arena serves each sample's head in turn.
    /// `crossing`: the arena regions (their `Arena` names and floats) that the
    /// head writes and the layer-major functions read.
    func emitEntryPoint(headForward: [SourceWriter], layerMajorForward: [SourceWriter], layerMajorLoopsOverSamples: [Bool],
                        headResult: String, crossing: [(name: String, count: Int)], into out: inout SourceWriter) {
        var tailFunctions = SourceWriter(), tailBody = SourceWriter()
        emit(functions: &tailFunctions, body: &tailBody)
        let samples = BatchedTailProgram.samples
        let layerMajor = tail.layerMajorStart < tail.start
        let arenas = layerMajor ? "\(samples) * arenaCount" : "arenaCount"
        out.doc("Samples that `predict(block:into:arena:)` runs at once, sharing each \(layerMajor ? "" : "Dense ")weight loaded.")
        out.line("public static let blockSamples = \(samples)")
        out.doc("Scratch for a block: \(layerMajor ? "an arena per sample" : "one sample's arena"), then two buffers of \(samples) rows of \(width) floats.")
        out.line("public static let blockArenaCount = \(arenas) + \(2 * samples * width)")
        out.line()
        if layerMajor {
            out.doc("The forward pass over `blockSamples` samples, one after another in `input` and",
                    "`output`: each sample alone, in its own arena, up to the layers with small outputs; then",
                    "those one layer at a time for every sample, so their weights are read from memory",
                    "once a block; then the layers from \(tail.startLayerName) on over all samples at once.",
                    "The same values as `predict` sample by sample.")
        } else {
            out.doc("The forward pass over `blockSamples` samples, one after another in `input` and",
                    "`output`: each sample alone up to the last image layer, then the layers from",
                    "\(tail.startLayerName) on over all of them at once. The same values as `predict` sample by sample.")
        }
        out.block("public func predict(block input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>)") { out in
            out.line("packed.withUnsafeBufferPointer { forwardBlock(input, output, arena, $0.baseAddress!) }")
        }
        out.line()
        out.line("@inline(__always)")
        out.block("private func forwardBlock(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>)") { out in
            out.line("let ta = arena + \(layerMajor ? "\(samples) * " : "")Self.arenaCount, tb = ta + \(samples * width)")
            if !layerMajor {
                out.block("for sample in 0..<\(samples)") { out in
                    out.line("head(input + sample * Self.inputCount, ta + sample * \(inputWidth), arena, w)")
                }
            } else {
                if !headForward.isEmpty {
                    // Every sample's head in the first arena, which stays in cache (eight arenas
                    // of MobileNetV2's 96x96 head did not: 7% of its batch), its results then
                    // copied to the sample's own; sample 0 last, in place.
                    out.block("for sample in 1..<\(samples)") { out in
                        out.line("head(input + sample * Self.inputCount, output, arena, w)")
                        for region in crossing {
                            out.line("(arena + sample * Self.arenaCount + Arena.\(region.name)).update(from: arena + Arena.\(region.name), count: \(region.count))")
                        }
                    }
                    out.line("head(input, output, arena, w)")
                }
                out.line("layerMajor(input, output, arena, w)")
                out.block("for sample in 0..<\(samples)") { out in
                    out.line("let arena = arena + sample * Self.arenaCount")
                    out.line("(ta + sample * \(inputWidth)).update(from: \(headResult), count: \(inputWidth))")
                }
            }
            out.embed(tailBody.text)
            out.line("output.update(from: \(tail.result.rawValue), count: \(samples) * Self.outputCount)")
        }
        out.line()
        if !layerMajor {
            out.doc("One sample through the layers before \(tail.startLayerName), its result copied to `destination`.")
            var layers = headForward
            layers[layers.count - 1].line("destination.update(from: \(headResult), count: \(inputWidth))")
            LayerRunFunctions.inference("head", result: "destination", observed: false, layers: layers).emit(into: &out)
            out.line()
        } else {
            if !headForward.isEmpty {
                out.doc("One sample through the layers before the ones that run layer by layer.")
                LayerRunFunctions.inference("head", observed: false, layers: headForward).emit(into: &out)
                out.line()
            }
            out.doc("The layers before \(tail.startLayerName) with small outputs, each for every sample of the",
                    "block (`input` and `arena` the block's: each sample's are shadowed in the loop).")
            let loops = zip(layerMajorForward, layerMajorLoopsOverSamples).map { layer, loopsItself -> SourceWriter in
                // A layer that shares its weights' slices across the block loops over
                // its samples itself; one that runs in another's store has only comments.
                let onlyComments = layer.text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
                if loopsItself || onlyComments { return layer }
                var looped = SourceWriter()
                ForwardWriter.eachSample(samples, into: &looped) { $0.embed(layer.text) }
                return looped
            }
            LayerRunFunctions.inference("layerMajor", observed: false, layers: loops).emit(into: &out)
            out.line()
        }
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
