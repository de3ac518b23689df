/// The layers after the last image layer (Flatten, then Dense, activations,
/// Dropout and BatchNormalization over vectors) compiled a second time to run
/// over a block of samples at once, so each Dense weight loaded from memory
/// serves `samples` samples instead of one. It matters when the weights do not
/// fit in cache: cats_vs_dogs's 10368x512 kernel is 21 MB, and one sample at
/// a time read it 32 times for a batch of 32, 30% of the batch's time.
///
/// The samples of a block are the "pixels" of a 1x1 convolution: rows of one
/// vector each, one after another, which `ConvolutionEmitter` already blocks
/// over in registers. Every sum runs in the same order as for one sample, so
/// the block path gives the same bits as `predict` sample by sample.
struct BatchedTail {
    /// Samples per block: with 3 vectors of channels that is 24 accumulators,
    /// 3 weight vectors and a broadcast, within AVX-512's 32 registers.
    static let samples = 8
    static let blocking = ConvolutionEmitter.Blocking(chunks: 3, pixels: samples)

    let model: CheckedModel
    let weights: WeightPlan
    /// The first layer of the tail.
    let start: Int

    /// nil when the tail holds no Dense layer, so there is no weight to share.
    init?(model: CheckedModel, weights: WeightPlan) {
        var start = model.layers.count
        while start > 0, Self.isVectorLayer(model.layers[start - 1]) { start -= 1 }
        let tail = model.layers[start...]
        guard tail.contains(where: { if case .dense = $0.operation { true } else { false } }) else { return nil }
        self.model = model
        self.weights = weights
        self.start = start
    }

    /// A layer that maps one vector per sample to another; Flatten turns the
    /// last image into that vector without moving a value.
    private static func isVectorLayer(_ layer: CheckedLayer) -> Bool {
        switch layer.operation {
        case .flatten: true
        case .dense, .activation, .relu, .softmax, .batchNormalization, .dropout, .identityAtInference: layer.inputShape.rank == 1
        default: false
        }
    }

    var layers: ArraySlice<CheckedLayer> { model.layers[start...] }

    /// Floats of one sample's vector as the tail receives it.
    var inputWidth: Int { layers.first?.inputShape.elementCount ?? 0 }

    /// Floats per sample of the largest vector the tail reads or writes.
    var width: Int { layers.reduce(inputWidth) { max($0, $1.outputShape.elementCount) } }

    /// The tail's layer functions into `functions`, and into `body` the calls
    /// that run them over `ta` (which holds the block's input rows) and `tb`.
    /// Returns the buffer that holds the block's outputs at the end.
    func emit(functions: inout SourceWriter, body: inout SourceWriter) -> String {
        var current = "ta", other = "tb"
        for (offset, layer) in layers.enumerated() {
            let index = start + offset
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name) + "_block"
            let rows = TensorShape([Self.samples, layer.outputShape.elementCount])
            let comment = "\(layer.name) over \(Self.samples) samples: \(layer.className), \(layer.inputShape) → \(layer.outputShape)"
            body.line("// \(comment)")
            switch layer.operation {
            case .dense(let config):
                guard case .kernel(let packed)? = weights.packing[index] else { continue }
                functions.line("// \(comment)")
                ConvolutionEmitter(
                    function: function, inputHeight: 1, inputWidth: Self.samples, inputChannels: layer.inputShape.lastAxis,
                    kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: 1, outputWidth: Self.samples,
                    packed: packed, fusedReLU: config.activation == .relu, blocking: Self.blocking
                ).emit(into: &functions)
                functions.line()
                body.line("Self.\(function)(UnsafePointer(\(current)), w, \(other))")
                swap(&current, &other)
                if config.activation != .linear && config.activation != .relu {
                    let post = ElementwiseEmitter(function: function + "_activation", kind: .activation(config.activation), shape: rows)
                    functions.line("// \(layer.name) over \(Self.samples) samples: its \(config.activation.rawValue) activation")
                    post.emit(into: &functions)
                    functions.line()
                    body.line("Self.\(post.function)(\(current))")
                }
            case .batchNormalization:
                guard case .normalization(let packed)? = weights.packing[index] else { continue }
                functions.line("// \(comment)")
                ElementwiseEmitter(function: function, kind: .batchNormalization(scaleOffset: packed.scaleOffset, shiftOffset: packed.shiftOffset),
                                   shape: rows).emit(into: &functions)
                functions.line()
                body.line("Self.\(function)(\(current), w)")
            default:
                guard let kind = ElementwiseEmitter.Kind(layer.operation) else {
                    body.line("// (no computation at inference)")
                    continue
                }
                functions.line("// \(comment)")
                ElementwiseEmitter(function: function, kind: kind, shape: rows).emit(into: &functions)
                functions.line()
                body.line("Self.\(function)(\(current))")
            }
        }
        return current
    }
}

extension BatchedTail {
    /// `predict(block:into:arena:)` and its per-sample head. `headForward` is
    /// the forward pass's calls for the layers before the tail, which leave
    /// their result in `headResult` (`input`, `a` or `b`).
    func emitEntryPoint(headForward: String, headResult: String, arena: ModelGenerator.ArenaLayout,
                        tailFunctions: SourceWriter, tailBody: SourceWriter, tailResult: String, into out: inout SourceWriter) {
        let samples = Self.samples
        out.doc("Samples that `predict(block:into:arena:)` runs at once, sharing each Dense weight loaded.")
        out.line("public static let blockSamples = \(samples)")
        out.doc("Scratch for a block: one sample's arena, then two buffers of \(samples) rows of \(width) floats.")
        out.line("public static let blockArenaCount = arenaCount + \(2 * samples * width)")
        out.line()
        out.doc("The forward pass over `blockSamples` samples, one after another in `input` and",
                "`output`: each sample alone up to the last image layer, then the layers from",
                "\(model.layers[start].name) on over all of them at once. The same values as `predict` sample by sample.")
        out.block("public func predict(block input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>)") { out in
            out.block("packed.withUnsafeBufferPointer { weights in", opening: "") { out in
                out.line("let w = weights.baseAddress!")
                out.line("let ta = arena + Self.arenaCount, tb = ta + \(samples * width)")
                out.block("for sample in 0..<\(samples)") { out in
                    out.line("head(input + sample * Self.inputCount, ta + sample * \(inputWidth), arena, w)")
                }
                out.embed(tailBody.text)
                out.line("output.update(from: \(tailResult), count: \(samples) * Self.outputCount)")
            }
        }
        out.line()
        out.doc("One sample through the layers before \(model.layers[start].name), its result copied to `destination`.")
        out.line("@inline(__always)")
        out.block("private func head(_ input: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>)") { out in
            arena.declareRegions(observed: false, into: &out)
            out.embed(headForward)
            out.line("destination.update(from: \(headResult), count: \(inputWidth))")
        }
        out.line()
        out.embed(tailFunctions.text)
    }
}
