/// The forward pass, written twice as the generator walks the layers: for one
/// core (`sequential`), and with the larger kernels split across a pool's
/// workers (`split`, the body of `predict(_:into:arena:splittingAcross:)`).
/// Each layer's lines are kept apart, so a deep model's pass can be cut into
/// functions of a few layers each (`LayerRunFunctions`).
struct ForwardWriter {
    private(set) var sequential = [SourceWriter()]
    private(set) var split = [SourceWriter()]
    /// For the block path's layer-major functions (`BatchedTailRenderer`):
    /// the samples of a block, for each of which a layer's lines run, with
    /// no observer. nil for the passes over one sample.
    let blockSamples: Int?
    /// Per layer: whether its lines loop over the block's samples themselves
    /// (`kernelSharingWeights`) rather than being run once for each.
    private(set) var loopsOverSamples = [false]

    init(blockSamples: Int? = nil) { self.blockSamples = blockSamples }

    /// Starts the next layer's lines (the lines before any layer belong to the first).
    mutating func beginLayer() {
        guard !(sequential.last?.text.isEmpty ?? true) else { return }
        sequential.append(SourceWriter())
        split.append(SourceWriter())
        loopsOverSamples.append(false)
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

    /// A kernel call whose `parts` are slices of the weights (groups of
    /// output channels). In the layer-major functions, each slice runs for
    /// every sample of the block in turn, so the slice is read from memory
    /// once a block rather than once a sample (EfficientNet's late 1x1
    /// convolutions, up to 1.6 MB of weights each, more than an L2 cache
    /// holds), and the layer loops over the samples itself; elsewhere,
    /// `kernel` with `splitParts`.
    mutating func kernelSharingWeights(slices: Int, splitParts: Int, _ call: (_ worker: String?, _ parts: String?) -> String) {
        guard let samples = blockSamples, slices > 1 else { return kernel(parts: splitParts, call) }
        sequential[sequential.count - 1].block("for part in 0..<\(slices)") { out in
            Self.eachSample(samples, into: &out) { $0.line(call(nil, "part..<part + 1")) }
        }
        split[split.count - 1].line(call(nil, nil))
        loopsOverSamples[loopsOverSamples.count - 1] = true
    }

    /// A kernel call that computes every sample of the block itself
    /// (`ConvolutionKernels.overSamples`), in the layer-major functions only.
    mutating func overSamples(_ call: String) {
        sequential[sequential.count - 1].line(call)
        split[split.count - 1].line(call)
        loopsOverSamples[loopsOverSamples.count - 1] = true
    }

    /// `call` for each sample of the block in a loop of its own, in the
    /// layer-major functions when `condition` holds (before `overSamples`, or
    /// a SeparableConv2D's `kernelSharingWeights`);
    /// otherwise a line like any other.
    mutating func eachSample(when condition: Bool, _ call: String) {
        guard let samples = blockSamples, condition else { return line(call) }
        Self.eachSample(samples, into: &sequential[sequential.count - 1]) { $0.line(call) }
        split[split.count - 1].line(call)
    }

    /// A call after the kernel in the same layer (its activation's pass):
    /// after `kernelSharingWeights`, in a loop over the samples of its own.
    mutating func afterKernel(_ call: String) {
        guard let samples = blockSamples, loopsOverSamples.last == true else { return line(call) }
        Self.eachSample(samples, into: &sequential[sequential.count - 1]) { $0.line(call) }
        split[split.count - 1].line(call)
    }

    /// `body` in a loop over a block's samples, each with its own input and arena.
    static func eachSample(_ samples: Int, into out: inout SourceWriter, _ body: (inout SourceWriter) -> Void) {
        out.block("for sample in 0..<\(samples)") { out in
            out.line("let input = input + sample * Self.inputCount, arena = arena + sample * Self.arenaCount")
            // Most layers read one of the two, some neither (Dropout).
            out.line("_ = (input, arena)")
            body(&out)
        }
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
    /// The layer-major functions have no observer either, and write `plain` alone.
    mutating func unlessObserved(plain: (inout ForwardWriter) -> Void, observed: (inout ForwardWriter) -> Void) {
        var fast = ForwardWriter(blockSamples: blockSamples), slow = ForwardWriter()
        plain(&fast)
        split[split.count - 1].embed(fast.split[0].text)
        if blockSamples != nil {
            sequential[sequential.count - 1].embed(fast.sequential[0].text)
            loopsOverSamples[loopsOverSamples.count - 1] = fast.loopsOverSamples[0]
            return
        }
        observed(&slow)
        sequential[sequential.count - 1].ifElse("observe == nil", then: { $0.embed(fast.sequential[0].text) },
                                                otherwise: { $0.embed(slow.sequential[0].text) })
    }

    /// A call only an observer needs (a layer fused into a convolution's
    /// store): `if observe != nil { call }` in the sequential pass, `otherwise`
    /// (a comment) in the split pass.
    mutating func onlyObserved(_ call: String, otherwise: String) {
        if blockSamples != nil {
            sequential[sequential.count - 1].line(otherwise)
        } else {
            sequential[sequential.count - 1].block("if observe != nil") { $0.line(call) }
        }
        split[split.count - 1].line(otherwise)
    }

    /// The observer's call after a layer, where there is an observer.
    mutating func observe(_ call: String) {
        if blockSamples == nil { sequential[sequential.count - 1].line(call) }
        split[split.count - 1].line(call)
    }
}
