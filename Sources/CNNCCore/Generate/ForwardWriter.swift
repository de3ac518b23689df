/// The forward pass, written twice as the generator walks the layers: for one
/// core (`sequential`), and with the larger kernels split across a pool's
/// workers (`split`, the body of `predict(_:into:arena:splittingAcross:)`).
/// Each layer's lines are kept apart, so a deep model's pass can be cut into
/// functions of a few layers each (`LayerRunFunctions`).
struct ForwardWriter {
    private(set) var sequential = [SourceWriter()]
    private(set) var split = [SourceWriter()]

    /// Starts the next layer's lines (the lines before any layer belong to the first).
    mutating func beginLayer() {
        guard !(sequential.last?.text.isEmpty ?? true) else { return }
        sequential.append(SourceWriter())
        split.append(SourceWriter())
    }

    mutating func line(_ content: String = "") {
        sequential[sequential.count - 1].line(content)
        split[split.count - 1].line(content)
    }

    /// A kernel call. `call(worker, parts)` writes it with nil for both on one
    /// core; split, with the names of the worker's index and its range of
    /// the kernel's `parts` (see `ConvolutionEmitter.parts`).
    mutating func kernel(parts: Int, _ call: (_ worker: String?, _ parts: String?) -> String) {
        sequential[sequential.count - 1].line(call(nil, nil))
        split[split.count - 1].line(parts > 1 ? "pool.split(\(parts)) { worker, parts in \(call("worker", "parts")) }" : call(nil, nil))
    }

    /// Calls over the `height` rows of a layer's output in blocks of `rows` on
    /// one core (split across workers, as `kernel` does): `call(rows)` writes
    /// the calls for a range of rows, which `ConvolutionEmitter` and
    /// `DepthwiseConvolutionEmitter` take as their parts.
    mutating func rowBlocks(height: Int, rows: Int, parts: Int, _ call: (_ rows: String?) -> String) {
        sequential[sequential.count - 1].block("for r in stride(from: 0, to: \(height), by: \(rows))") { out in
            out.line(call("r..<Swift.min(r + \(rows), \(height))"))
        }
        split[split.count - 1].line(parts > 1 ? "pool.split(\(parts)) { worker, parts in \(call("parts")) }" : call(nil))
    }

    /// Calls that differ when every layer's output is observed (a fused
    /// convolution, `EpilogueFusion`): the sequential pass, whose `observe` may
    /// be set, writes `if observe == nil { plain } else { observed }`; the split
    /// pass has no observer and writes `plain` alone.
    mutating func unlessObserved(plain: (inout ForwardWriter) -> Void, observed: (inout ForwardWriter) -> Void) {
        var fast = ForwardWriter(), slow = ForwardWriter()
        plain(&fast)
        observed(&slow)
        sequential[sequential.count - 1].ifElse("observe == nil", then: { $0.embed(fast.sequential[0].text) },
                                                otherwise: { $0.embed(slow.sequential[0].text) })
        split[split.count - 1].embed(fast.split[0].text)
    }

    /// A call only an observer needs (a layer fused into a convolution's
    /// store): `if observe != nil { call }` in the sequential pass, `otherwise`
    /// (a comment) in the split pass.
    mutating func onlyObserved(_ call: String, otherwise: String) {
        sequential[sequential.count - 1].block("if observe != nil") { $0.line(call) }
        split[split.count - 1].line(otherwise)
    }
}
