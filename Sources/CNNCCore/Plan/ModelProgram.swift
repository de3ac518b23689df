import Foundation

/// The plan stage's product: everything the Swift for one model needs,
/// decided once from the checked graph by `ModelPlanner`, as plain values.
/// Renderers (Generate/) only turn it into text; nothing reads text back.
/// It is `Codable`, so `cnnc generate --emit-plan` prints it and tests pin it.
public struct ModelProgram: Codable, Hashable, Sendable {
    public var modelName: String
    public var specPath: String
    /// The Swift type of the model (`SwiftNames.typeName`).
    public var typeName: String
    /// The model's inputs and outputs, packed one after another per sample.
    var inputLayout: SampleLayout
    var outputLayout: SampleLayout
    var parameterCount: Int
    var flops: Int
    var weights: WeightPlan
    /// One entry per layer, in the graph's order.
    var nodes: [NodeProgram]
    var arena: InferenceArena
    /// Where the forward pass leaves each of the model's outputs.
    var results: [InferenceBuffer]
    /// The layers after the last image layer, planned again over a block of samples.
    var batchedTail: BatchedTailProgram?
    var training: TrainingProgram
    /// SIMD widths the kernels multiply-add in.
    var vectorWidths: [Int]
    /// The CPU kind the kernels' register blocks are shaped for.
    public var target: TargetCPU
}

extension ModelProgram {
    /// Whether any kernel, inference's or training's, runs by Winograd (and
    /// calls the 1-D transforms `WinogradTile.emitHelpers` writes).
    var usesWinograd: Bool {
        !training.winogradInputGradients.isEmpty || nodes.contains { node in
            if case .convolution(let kernels) = node.kernel { kernels.winograd != nil } else { false }
        }
    }

    /// One sample's input as the compiled model states it (`SampleLayout.packedShape`).
    var inputShape: TensorShape { inputLayout.packedShape }
    var outputShape: TensorShape { outputLayout.packedShape }

    /// The most layers (or training steps) one generated function runs: a
    /// longer pass is cut into parts, because the Swift compiler's time grows
    /// faster than a function's length (see `LayerRunFunctions`).
    static let layersPerFunction = 64
}

/// A buffer of the inference forward pass: one of the model's inputs in the
/// caller's (read-only) packed sample, by its index in `inputLayout`, or a
/// region of the arena (an index into `InferenceArena.regions`).
enum InferenceBuffer: Codable, Hashable, Sendable {
    case input(Int)
    case region(Int)

    /// Whether it is in the arena (each sample of a block has its own) rather than the input.
    var isRegion: Bool { if case .region = self { true } else { false } }
}

/// How one layer runs at inference and where.
struct NodeProgram: Codable, Hashable, Sendable {
    var index: Int
    /// The layer as the kernels compute it: a sequence as an image of one row
    /// (`CheckedModel.loweredToImages`).
    var layer: CheckedLayer
    /// Its shapes as Keras states them, for what the user reads.
    var kerasInputShape: TensorShape
    var kerasOutputShape: TensorShape
    /// The stem of the generated functions it calls (`l3_conv_2`): its own,
    /// or those of the earlier layer it shares its kernels with.
    var function: String
    /// The earlier layer of equal geometry whose kernels it calls
    /// (`KernelSharing`); nil when it has functions of its own.
    var sharesKernelsOf: Int? = nil
    /// Where its weights start, for a layer whose kernels read them relative
    /// to that (convolutions and Dense): callers pass `w + packed`,
    /// `k + parameters` and `gradients + parameters`, so that the kernels of
    /// layers of equal geometry are one function.
    var weightBase: WeightBase? = nil
    var kernel: InferenceKernel
    /// The buffer it reads, and the one holding its output afterwards (the
    /// same for layers that work in place or compute nothing).
    var reads: InferenceBuffer
    var writes: InferenceBuffer
    /// An in-place layer whose input must stay as it is (the caller's input,
    /// or a tensor read again later) copies it to its own region first.
    var copiesInputFirst: Bool
    /// The region of its padded input, for a convolution that pads.
    var padded: Int?
    /// A merge layer's inputs after the first, in order.
    var otherReads: [InferenceBuffer] = []
    /// The region of a SeparableConv2D's depthwise result, which its 1x1 step reads.
    var intermediate: Int? = nil
    /// For a convolution, the layers after it that its fused kernel runs in
    /// its store when no observer asks for its own output (`EpilogueFusion`).
    var fusion: NodeFusion? = nil
    /// For a layer fused into a convolution's store: that convolution's index.
    /// It runs on its own only for an observer.
    var fusedInto: Int? = nil

    /// The line that introduces it in generated code: name, class, shapes, parameters.
    var comment: String {
        "\(layer.name): \(layer.className), \(kerasInputShape) → \(kerasOutputShape), \(Formatting.thousands(layer.parameters)) parameters"
    }
}

/// Where a layer's weights start in the packed buffer and in Keras's layout.
struct WeightBase: Codable, Hashable, Sendable {
    var packed: Int
    var parameters: Int
}

/// The kernel chosen for a layer at inference, with its geometry.
enum InferenceKernel: Codable, Hashable, Sendable {
    case convolution(ConvolutionKernels)
    case pooling(PoolingEmitter)
    case globalPooling(GlobalPoolingEmitter)
    case zeroPadding(PaddingEmitter)
    case cropping(CroppingEmitter)
    case upSampling(UpSamplingEmitter)
    case resizing(ResizingEmitter)
    case permute(PermuteEmitter)
    case repeatVector(RepeatVectorEmitter)
    /// Activation, ReLU, Softmax, BatchNormalization, Rescaling and Normalization, over their input's memory.
    case inPlace(ElementwiseEmitter)
    /// Add, Subtract, Multiply, Average, Maximum, Minimum.
    case merge(MergeEmitter)
    case concatenate(ConcatenateEmitter)
    /// Flatten, Reshape, Dropout and the training-only layers: nothing to compute.
    case nothing

    /// Whether its direct kernel reads the layer's input unpadded, leaving out
    /// the padding's taps itself (`DirectConvolution.padsItself`).
    var padsItself: Bool {
        if case .convolution(let kernels) = self { kernels.direct.padsItself } else { false }
    }
}

/// A Conv2D, DepthwiseConv2D or Dense layer's kernels. The forward pass, in
/// inference and in training, runs the Winograd kernel where one is chosen
/// (training: `trainingWinograd`) and the direct kernel otherwise; the
/// backward pass works from the direct kernel's layout.
struct ConvolutionKernels: Codable, Hashable, Sendable {
    /// Copies the input into the arena's `p` with the layer's padding around it.
    var padding: PaddingEmitter?
    var direct: DirectConvolution
    var winograd: WinogradKernel?
    /// SeparableConv2D's second step: a 1x1 convolution of the depthwise
    /// result (which `direct` computes), with the bias and the activation.
    var pointwise: ConvolutionEmitter? = nil
    /// Rows of output a SeparableConv2D computes both steps for at a time on
    /// one core, when its depthwise result would not stay in cache whole.
    var rowsPerBlock: Int? = nil
    /// An activation other than linear and ReLU (which the kernels fuse), applied after.
    var activation: ElementwiseEmitter?
    /// The last kernel again, with the layers after it in its store (`EpilogueFusion`).
    var fused: FusedKernel? = nil
    /// Parts to split inference's kernel into across workers for one sample (1: one core).
    var splitParts: Int
    /// In the block path's layer-major functions, the last kernel (fused, if
    /// the layer has a fused kernel) over every sample of the block at once
    /// (`ConvolutionEmitter.sampleBlocks`); nil where the layer runs sample by sample.
    var overSamples: ConvolutionEmitter? = nil

    /// Whether a SeparableConv2D's 1x1 step runs its groups of channels
    /// apart (a small output), each for every sample of a block in the
    /// layer-major functions, after every sample's padding and depthwise step.
    var pointwiseSharesWeights: Bool { pointwise.map { $0.flatOutput && $0.parts > 1 } ?? false }

    /// The function of the kernel that writes the layer's output.
    var lastFunction: String { pointwise?.function ?? direct.function }

    /// The padded copy of the input that inference makes: Winograd's, or the
    /// layer's unless its direct kernel leaves out the padding's taps itself.
    /// (Training's backward pass pads with `padding` in any case.)
    var inferencePadding: PaddingEmitter? { winograd?.padding ?? (direct.padsItself ? nil : padding) }

    /// The Winograd kernel training's forward pass runs too: not a Conv1D's
    /// `WinogradLine`, whose layer trains by its direct kernel (its U is
    /// packed for inference only), as BatchNormalization after it would
    /// magnify F(4, 5)'s rounding as it does F(4x4)'s (`WinogradTrainingForward`).
    var trainingWinograd: WinogradKernel? { winograd?.kernel.line == nil ? winograd : nil }
}

enum DirectConvolution: Codable, Hashable, Sendable {
    /// Output channels in SIMD lanes (`ConvolutionEmitter`).
    case channelLanes(ConvolutionEmitter)
    /// Output pixels in SIMD lanes, for few input channels (`PixelLaneConvolutionEmitter`).
    case pixelLanes(PixelLaneConvolutionEmitter)
    /// Input channels and few filters in SIMD lanes, for a 1x1 kernel to at most 4 (`ChunkLaneConvolutionEmitter`).
    case chunkLanes(ChunkLaneConvolutionEmitter)
    /// Two neighbouring pixels' 5-8 filters in SIMD lanes, on 512-bit FMA units (`PixelPairConvolutionEmitter`).
    case pixelPairs(PixelPairConvolutionEmitter)
    /// DepthwiseConv2D: each channel on its own (`DepthwiseConvolutionEmitter`).
    case depthwise(DepthwiseConvolutionEmitter)
    /// Conv2DTranspose, by output pixel (`TransposedConvolutionEmitter`).
    case transposed(TransposedConvolutionEmitter)

    var lanes: Int {
        switch self {
        case .channelLanes(let kernel): kernel.lanes
        case .pixelLanes(let kernel): kernel.lanes
        case .chunkLanes(let kernel): kernel.lanes
        case .pixelPairs(let kernel): kernel.lanes
        case .depthwise(let kernel): kernel.lanes
        case .transposed(let kernel): kernel.lanes
        }
    }

    /// The SIMD widths its code uses: `lanes`, and a depthwise kernel's
    /// narrower vectors for the channels left after its widest ones.
    var vectorWidths: Set<Int> {
        if case .depthwise(let kernel) = self { kernel.vectorWidths.union([lanes]) } else { [lanes] }
    }

    var parts: Int {
        switch self {
        case .channelLanes(let kernel): kernel.parts
        case .pixelLanes(let kernel): kernel.parts
        case .chunkLanes(let kernel): kernel.parts
        case .pixelPairs(let kernel): kernel.parts
        case .depthwise(let kernel): kernel.parts
        case .transposed(let kernel): kernel.parts
        }
    }

    /// Whether it reads the layer's input as it is, leaving out the padding's taps itself.
    var padsItself: Bool {
        if case .depthwise(let kernel) = self { kernel.padsItself } else { false }
    }

    var function: String {
        switch self {
        case .channelLanes(let kernel): kernel.function
        case .pixelLanes(let kernel): kernel.function
        case .chunkLanes(let kernel): kernel.function
        case .pixelPairs(let kernel): kernel.function
        case .depthwise(let kernel): kernel.function
        case .transposed(let kernel): kernel.function
        }
    }

    func emit(into out: inout SourceWriter) {
        switch self {
        case .channelLanes(let kernel): kernel.emit(into: &out)
        case .pixelLanes(let kernel): kernel.emit(into: &out)
        case .chunkLanes(let kernel): kernel.emit(into: &out)
        case .pixelPairs(let kernel): kernel.emit(into: &out)
        case .depthwise(let kernel): kernel.emit(into: &out)
        case .transposed(let kernel): kernel.emit(into: &out)
        }
    }
}

/// A Winograd kernel, with the padding that puts every tile's patch inside the input.
struct WinogradKernel: Codable, Hashable, Sendable {
    var kernel: WinogradConvolutionEmitter
    var padding: PaddingEmitter
}

/// The forward pass's arena, in floats: a region per tensor that a layer
/// computes and per padded convolution input, placed by liveness
/// (`ArenaAllocator`), then Winograd's scratch, last so that the workers of a
/// split layer can each have their own beyond it.
struct InferenceArena: Codable, Hashable, Sendable {
    var regions: [ArenaRegion]
    /// Floats the regions span: where the scratch starts.
    var activation: Int
    var scratch: Int
    var total: Int { activation + scratch }
}

/// A region of the inference arena and what lives there.
struct ArenaRegion: Codable, Hashable, Sendable {
    /// The name of its offset constant in generated code (`l3_conv_2`, `l3_conv_2_padded`).
    var name: String
    var offset: Int
    var count: Int
    /// The layers from the one that writes it to the last that reads it.
    var firstNode: Int
    var lastNode: Int
    /// What it holds, for the generated comment (`conv_2's output`).
    var holds: String
}

extension ModelProgram {
    /// The plan as indented JSON with sorted keys: the same plan, the same bytes.
    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every value in a plan is a plain number, string or list: encoding cannot fail.
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text + "\n"
    }
}
