/// The layers after the last image layer (Flatten, then Dense, activations,
/// Dropout and BatchNormalization over vectors) planned a second time to run
/// over a block of samples at once, so each Dense weight loaded from memory
/// serves `samples` samples instead of one. It matters when the weights do not
/// fit in cache: cats_vs_dogs's 10368x512 kernel is 21 MB, and one sample at
/// a time read it 32 times for a batch of 32, 30% of the batch's time.
///
/// The samples of a block are the "pixels" of a 1x1 convolution: rows of one
/// vector each, one after another, which `ConvolutionEmitter` already blocks
/// over in registers. Every sum runs in the same order as for one sample, so
/// the block path gives the same bits as `predict` sample by sample.
struct BatchedTailProgram: Codable, Hashable, Sendable {
    /// Samples per block: with AVX-512 and 3 vectors of channels that is 24
    /// accumulators, 3 weight vectors and a broadcast, within the 32 registers;
    /// with AVX2 the kernel's own default for 8 pixels, which fits its 16.
    static let samples = 8
    static func blocking(lanes: Int, target: TargetCPU) -> ConvolutionEmitter.Blocking? {
        target.keepsAVX512Blocks(lanes: lanes) ? ConvolutionEmitter.Blocking(chunks: 3, pixels: samples) : nil
    }

    /// The first layer of the tail.
    var start: Int
    /// The first of the image layers before the tail that run layer by layer
    /// over the block (each layer for every sample, then the next), each
    /// sample in an arena of its own; `start` when there are none
    /// (`BatchedTailPlanner.layerMajorStart`).
    var layerMajorStart: Int
    var startLayerName: String
    /// Floats of one sample's vector as the tail receives it.
    var inputWidth: Int
    /// Floats per sample of the largest vector the tail reads or writes.
    var width: Int
    var steps: [TailStep]
    /// The buffer that holds the block's outputs at the end.
    var result: TailRegion

    /// Where the layers before the tail leave what it reads: the model's
    /// input when there are none (or none that compute).
    func headResult(in nodes: [NodeProgram]) -> InferenceBuffer {
        start == 0 ? .input(0) : nodes[start - 1].writes
    }
}

/// The two buffers of a block's rows, after one sample's arena: `ta` receives the heads' outputs.
enum TailRegion: String, Codable, Hashable, Sendable {
    case ta, tb
    var other: TailRegion { self == .ta ? .tb : .ta }
}

struct TailStep: Codable, Hashable, Sendable {
    var index: Int
    var layer: CheckedLayer
    var kernel: TailKernel
    var reads: TailRegion
    var writes: TailRegion

    var comment: String {
        "\(layer.name) over \(BatchedTailProgram.samples) samples: \(layer.className), \(layer.inputShape) → \(layer.outputShape)"
    }
}

enum TailKernel: Codable, Hashable, Sendable {
    /// A Dense layer as a 1x1 convolution over the block's rows, then its activation
    /// unless linear or ReLU (fused).
    case dense(ConvolutionEmitter, activation: ElementwiseEmitter?)
    case inPlace(ElementwiseEmitter)
    case nothing
}
