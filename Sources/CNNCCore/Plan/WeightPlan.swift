/// Where every weight lives: the Keras-layout tensors of the user-facing
/// parameter buffer (names and shapes as Keras saves them), and the packed
/// buffer the kernels read (output channels padded to whole SIMD vectors,
/// BatchNormalization folded into a scale and a shift).
struct WeightPlan: Codable, Hashable {
    /// A kernel (plus optional bias) packed for a convolution-shaped layer (Conv2D,
    /// DepthwiseConv2D or Dense).
    struct PackedKernel: Codable, Hashable {
        var kernelTensor: Int
        var biasTensor: Int?
        var rows: Int
        var outputs: Int
        var lanes: Int
        var paddedOutputs: Int
        var kernelOffset: Int
        var biasOffset: Int
        /// Floats after each row of the kernel beyond `paddedOutputs`, never
        /// read (`rowStride`, `WeightPlan.rowPadding`).
        var rowPadding = 0
        /// Floats from one row of the kernel to the next.
        var rowStride: Int { paddedOutputs + rowPadding }
        /// The kernel in Winograd's domain, for layers that use it (see `WinogradConvolutionEmitter`).
        var winogradOffset: Int? = nil
        /// The Winograd algorithm that domain is for (`WinogradTile.choice`).
        var winogradTile: WinogradTile = .two
        /// U's matrices each in panels of `lanes` output channels (as
        /// `panelWidth` packs a kernel), for a layer of at most 16 tiles whose
        /// U outgrows the L2 (`WinogradConvolutionEmitter.cachedKernelFloats`):
        /// its products use each weight once a tile, so U streams from
        /// memory, which panels read straight down where rows read a few
        /// lines a row's stride apart (`WinogradConvolutionEmitter.product`).
        var winogradPanels = false
        /// A Conv1D's 1-D algorithm, where the domain is for that (`WinogradLine.choice`).
        var winogradLine: WinogradLine? = nil
        /// Conv2DTranspose's input channels: Keras's kernel (kh, kw, filters, cin)
        /// is packed with each tap transposed to cin rows of filters.
        var transposedInputs: Int? = nil
        /// Packed in panels of this many output channels (one vector), each
        /// panel's rows one after another, for a kernel that reads a vector
        /// of channels at a time down all its rows (`ConvolutionEmitter.flatOutput`):
        /// it then streams its weights instead of reading a cache line every row's stride.
        var panelWidth: Int? = nil
        /// The kernel and bias as lane patterns for every phase, for a
        /// one-channel layer whose output pixels and filters share the lanes
        /// (`PixelLaneConvolutionEmitter`, packed by `WeightPacking.phasedLanes`).
        var phasedOffset: Int? = nil
        /// The kernel in chunks of input channels of every filter, tap by
        /// tap, for a layer of at most 4 filters (`ChunkLaneConvolutionEmitter`,
        /// packed by `WeightPacking.chunkLanes`).
        var chunkedOffset: Int? = nil
        /// The vector width that packing is for (`ChunkLaneConvolutionEmitter.lanes`).
        var chunkLanes = 8
        /// Whether that packing is for whole vectors of input channels turned
        /// within groups of filter slots (`ChunkLaneConvolutionEmitter.turnsChunks`,
        /// packed by `WeightPacking.turnedChunkLanes`).
        var turnedChunks = false

        /// The same packing as a layer's kernels see it when they are handed
        /// their own weights (`NodeProgram.weightBase`): offsets counted from
        /// the layer's first packed float, tensors from its first tensor.
        func rebased(packedBy packed: Int, tensorsBy tensors: Int) -> PackedKernel {
            var copy = self
            copy.kernelTensor -= tensors
            copy.biasTensor = biasTensor.map { $0 - tensors }
            copy.kernelOffset -= packed
            copy.biasOffset -= packed
            copy.winogradOffset = winogradOffset.map { $0 - packed }
            copy.phasedOffset = phasedOffset.map { $0 - packed }
            copy.chunkedOffset = chunkedOffset.map { $0 - packed }
            return copy
        }
    }

    struct PackedNormalization: Codable, Hashable {
        var gammaTensor: Int?
        var betaTensor: Int?
        var meanTensor: Int
        var varianceTensor: Int
        var epsilon: Double
        var channels: Int
        var scaleOffset: Int
        var shiftOffset: Int
    }

    /// Keras's Normalization by its weights `mean` and `variance` (and `count`,
    /// which only `adapt` reads), folded to a scale and a shift.
    struct PackedFeatureNormalization: Codable, Hashable {
        var meanTensor: Int
        var varianceTensor: Int
        var invert: Bool
        var channels: Int
        var scaleOffset: Int
        var shiftOffset: Int
    }

    /// A weight tensor the kernels read as Keras keeps it, copied to `offset`
    /// of the packed buffer.
    struct PackedCopy: Codable, Hashable {
        var tensor: Int
        var count: Int
        var offset: Int
    }

    enum Packing: Codable, Hashable {
        case kernel(PackedKernel)
        /// LayerNormalization's gamma (without `scale`, none) and beta (without `center`, none).
        case layerNormalization(gamma: PackedCopy?, beta: PackedCopy?)
        /// PReLU's alpha, in Keras's shape.
        case prelu(alpha: PackedCopy)
        case normalization(PackedNormalization)
        /// SeparableConv2D's two kernels: depthwise (no bias), then 1x1 with the bias.
        case separable(depthwise: PackedKernel, pointwise: PackedKernel)
        case featureNormalization(PackedFeatureNormalization)
    }

    struct Tensor: Codable, Hashable {
        var name: String
        var shape: [Int]
        var offset: Int
        /// Keras's value for every element of a new model's tensor, when not its class's default.
        var initialValue: Double? = nil
        var count: Int { shape.reduce(1, *) }
    }

    private(set) var tensors: [Tensor] = []
    /// Packing per layer index (layers without weights have none).
    private(set) var packing: [Int: Packing] = [:]
    private(set) var parameterCount = 0
    private(set) var packedCount = 0
    /// Each layer's slice of the parameter buffer (its tensors are added
    /// together), for the layers that have weights.
    private(set) var layerParameters: [Int: Range<Int>] = [:]
    /// Each layer's slice of the packed buffer, for the layers that have one.
    private(set) var layerPacked: [Int: Range<Int>] = [:]

    /// SIMD width for a layer with `outputs` output channels: 16 lanes (one
    /// AVX-512 register) when there are enough channels to fill them, fewer otherwise.
    static func lanes(forOutputs outputs: Int) -> Int {
        outputs >= 12 ? 16 : (outputs > 4 ? 8 : 4)
    }

    /// SIMD width for a depthwise layer's channels: the widest that divides
    /// them, because a depthwise kernel loads its inputs as vectors of
    /// channels and a partial vector must be read lane by lane (24 channels
    /// run as three vectors of 8, not one of 16 and eight single lanes).
    static func depthwiseLanes(channels: Int) -> Int {
        [16, 8, 4].first { channels >= $0 && channels % $0 == 0 } ?? lanes(forOutputs: channels)
    }

    /// The packing for kernels shaped for `target` (the tensors, in Keras's
    /// names and layouts, are the same for every target).
    init(model: CheckedModel, target: TargetCPU = .avx512on256) {
        for (index, layer) in model.layers.enumerated() where layer.sharesWeightsOf == nil {
            let start = parameterCount, packedStart = packedCount
            defer {
                if parameterCount > start { layerParameters[index] = start..<parameterCount }
                if packedCount > packedStart { layerPacked[index] = packedStart..<packedCount }
            }
            switch layer.operation {
            case .conv2D(let config) where config.groups > 1:
                // A group a channel, computed as a DepthwiseConv2D: Keras's (kh, kw, 1, filters)
                // kernel is the depthwise (kh, kw, C, m) one, float for float.
                let taps = config.kernelSize.height * config.kernelSize.width
                let kernel = addTensor("\(layer.name).kernel", [config.kernelSize.height, config.kernelSize.width,
                                                                 layer.inputShape.lastAxis / config.groups, config.filters])
                let bias = config.useBias ? addTensor("\(layer.name).bias", [config.filters]) : nil
                packing[index] = .kernel(pack(kernel: kernel, bias: bias, rows: taps, outputs: config.filters,
                                              lanes: Self.depthwiseLanes(channels: config.filters)))
            case .conv2D(let config):
                let rows = config.kernelSize.height * config.kernelSize.width * layer.inputShape.lastAxis
                let kernel = addTensor("\(layer.name).kernel", [config.kernelSize.height, config.kernelSize.width, layer.inputShape.lastAxis, config.filters])
                let bias = config.useBias ? addTensor("\(layer.name).bias", [config.filters]) : nil
                let paddedOutputs = Self.paddedOutputs(forOutputs: config.filters)
                // A small output's kernel is read in panels (`ConvolutionEmitter.flatOutput`),
                // unless its pixels go in lanes, and never by Winograd.
                let small = ConvolutionEmitter.isSmallOutput(height: layer.outputShape.dimensions[0], width: layer.outputShape.dimensions[1])
                    || ConvolutionEmitter.streamsPointwisePanels(kernel: config.kernelSize, outputHeight: layer.outputShape.dimensions[0],
                                                                 outputWidth: layer.outputShape.dimensions[1], weightFloats: rows * paddedOutputs)
                // Every call of a shared layer reads the same packing, so the kernels
                // that need their own packing must suit every call's output (a
                // shared head over a pyramid's levels: a level of 2x2 pixels would
                // have made the chunk-lane kernel's last block start before pixel 0).
                let calls = model.calls(ofLayer: index)
                /// Whether pairs of pixels suit a call (ModelPlanner then chooses them), which need no packing of their own.
                func pairsPixels(_ call: CheckedLayer) -> Bool {
                    PixelPairConvolutionEmitter.suits(target: target, outputs: config.filters, kernel: config.kernelSize,
                                                      strides: config.strides, outputWidth: call.outputShape.dimensions[1])
                }
                // Where the FMA units are 512 bits wide, pairs of pixels read in place take one
                // channel to 8 filters instead (`PixelPairConvolutionEmitter.readsPairsInPlace`).
                let pixelLanes = calls.allSatisfy {
                    PixelLaneConvolutionEmitter.suits(inputChannels: layer.inputShape.lastAxis, strides: config.strides,
                                                      outputs: config.filters, outputWidth: $0.outputShape.dimensions[1])
                        && !(config.filters == 8 && pairsPixels($0))
                }
                // Where pairs of pixels suit a layer of 5-8 filters, they run instead (no sums across lanes).
                let chunkLanes = calls.allSatisfy {
                    ChunkLaneConvolutionEmitter.suits(target: target, inputChannels: layer.inputShape.lastAxis, outputs: config.filters,
                                                      outputHeight: $0.outputShape.dimensions[0], outputWidth: $0.outputShape.dimensions[1])
                        && !pairsPixels($0)
                }
                let winograd = WinogradConvolutionEmitter.suits(kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                                                                inputChannels: layer.inputShape.lastAxis, outputs: config.filters) && !small
                // Only a row kernel reads the rows a row's stride apart; Winograd's products read their own matrices.
                let readsRows = !pixelLanes && !chunkLanes && !small && !winograd
                var packed = pack(kernel: kernel, bias: bias, rows: rows, outputs: config.filters,
                                  rowPadding: readsRows ? Self.rowPadding(rows: rows, paddedOutputs: paddedOutputs) : 0)
                if pixelLanes {
                    packed.phasedOffset = reservePacked((rows + 1) * config.filters * PixelLaneConvolutionEmitter.patternStride)
                } else if chunkLanes {
                    packed.chunkedOffset = reservePacked(ChunkLaneConvolutionEmitter.packedCount(rows: rows, outputs: config.filters))
                    packed.chunkLanes = ChunkLaneConvolutionEmitter.lanes(target: target, inputChannels: layer.inputShape.lastAxis, outputs: config.filters)
                    packed.turnedChunks = ChunkLaneConvolutionEmitter.turnsChunks(target: target, inputChannels: layer.inputShape.lastAxis, outputs: config.filters)
                } else if small {
                    packed.panelWidth = packed.lanes
                }
                if winograd {
                    let tile = WinogradTile.choice(outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
                                                   channelPairs: layer.inputShape.lastAxis * packed.paddedOutputs)
                    let transformedFloats = tile.products * layer.inputShape.lastAxis * packed.paddedOutputs
                    packed.winogradTile = tile
                    packed.winogradPanels = transformedFloats > WinogradConvolutionEmitter.cachedKernelFloats
                        && calls.allSatisfy {
                            tile.tiles(outputHeight: $0.outputShape.dimensions[0], outputWidth: $0.outputShape.dimensions[1]) <= ConvolutionEmitter.smallOutputPixels
                        }
                    packed.winogradOffset = reservePacked(transformedFloats)
                }
                packing[index] = .kernel(packed)
            case .oneDimensional(.conv1D(let config)):
                // Keras's (k, cin, filters) kernel holds the bytes of a (1, k, cin, filters)
                // Conv2D kernel, which the plan computes it as.
                let inputs = layer.inputShape.lastAxis
                let kernel = addTensor("\(layer.name).kernel", [config.kernelSize, inputs, config.filters])
                let bias = config.useBias ? addTensor("\(layer.name).bias", [config.filters]) : nil
                var packed = pack(kernel: kernel, bias: bias, rows: config.kernelSize * inputs, outputs: config.filters)
                if WinogradConvolutionEmitter.suitsLine(taps: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                                                        inputChannels: inputs, outputs: config.filters),
                   let line = WinogradLine.choice(taps: config.kernelSize, length: layer.outputShape.dimensions[0]) {
                    packed.winogradLine = line
                    packed.winogradOffset = reservePacked(line.patch * inputs * packed.paddedOutputs)
                } else if model.calls(ofLayer: index).allSatisfy({
                    ChunkLaneConvolutionEmitter.suits(target: target, inputChannels: inputs, outputs: config.filters, outputHeight: 1,
                                                      outputWidth: $0.outputShape.dimensions[0])
                        && !PixelPairConvolutionEmitter.suits(target: target, outputs: config.filters, kernel: Size2D(1, config.kernelSize),
                                                              strides: Size2D(1, config.strides), outputWidth: $0.outputShape.dimensions[0])
                }) {
                    // Its steps are the pixels of an image of one row, as the plan computes it.
                    packed.chunkedOffset = reservePacked(ChunkLaneConvolutionEmitter.packedCount(rows: config.kernelSize * inputs, outputs: config.filters))
                    packed.chunkLanes = ChunkLaneConvolutionEmitter.lanes(target: target, inputChannels: inputs, outputs: config.filters)
                    packed.turnedChunks = ChunkLaneConvolutionEmitter.turnsChunks(target: target, inputChannels: inputs, outputs: config.filters)
                }
                packing[index] = .kernel(packed)
            case .depthwiseConv2D(let config):
                // Keras's (kh, kw, cin, m) kernel is, row-major, one row of
                // cin·m weights per tap: packed as a Conv2D kernel of kh·kw rows.
                let channels = layer.outputShape.lastAxis
                let taps = config.kernelSize.height * config.kernelSize.width
                let kernel = addTensor("\(layer.name).kernel", [config.kernelSize.height, config.kernelSize.width, layer.inputShape.lastAxis, config.depthMultiplier])
                let bias = config.useBias ? addTensor("\(layer.name).bias", [channels]) : nil
                packing[index] = .kernel(pack(kernel: kernel, bias: bias, rows: taps, outputs: channels,
                                              lanes: Self.depthwiseLanes(channels: channels)))
            case .separableConv2D(let config):
                let middle = layer.inputShape.lastAxis * config.depthMultiplier
                let taps = config.kernelSize.height * config.kernelSize.width
                let depthwise = addTensor("\(layer.name).depthwise_kernel", [config.kernelSize.height, config.kernelSize.width, layer.inputShape.lastAxis, config.depthMultiplier])
                let pointwise = addTensor("\(layer.name).pointwise_kernel", [1, 1, middle, config.filters])
                let bias = config.useBias ? addTensor("\(layer.name).bias", [config.filters]) : nil
                // A small output's 1x1 step reads its kernel in panels, as a Conv2D's does; else
                // its row kernel reads rows a row's stride apart (Xception's 728 → 1024 step).
                let small = ConvolutionEmitter.isSmallOutput(height: layer.outputShape.dimensions[0], width: layer.outputShape.dimensions[1])
                var packedPointwise = pack(kernel: pointwise, bias: bias, rows: middle, outputs: config.filters,
                                           rowPadding: small ? 0 : Self.rowPadding(rows: middle, paddedOutputs: Self.paddedOutputs(forOutputs: config.filters)))
                if small {
                    packedPointwise.panelWidth = packedPointwise.lanes
                }
                packing[index] = .separable(
                    depthwise: pack(kernel: depthwise, bias: nil, rows: taps, outputs: middle, lanes: Self.depthwiseLanes(channels: middle)),
                    pointwise: packedPointwise)
            case .conv2DTranspose(let config):
                let inputs = layer.inputShape.lastAxis
                let kernel = addTensor("\(layer.name).kernel", [config.kernelSize.height, config.kernelSize.width, config.filters, inputs])
                let bias = config.useBias ? addTensor("\(layer.name).bias", [config.filters]) : nil
                var packed = pack(kernel: kernel, bias: bias, rows: config.kernelSize.height * config.kernelSize.width * inputs, outputs: config.filters)
                packed.transposedInputs = inputs
                packing[index] = .kernel(packed)
            case .dense(let config):
                let inputs = layer.inputShape.lastAxis
                let kernel = addTensor("\(layer.name).kernel", [inputs, config.units])
                let bias = config.useBias ? addTensor("\(layer.name).bias", [config.units]) : nil
                var packed = pack(kernel: kernel, bias: bias, rows: inputs, outputs: config.units)
                // On a vector (the usual place) it is a 1x1 convolution on one pixel, and
                // on at most 16 positions one on a small output: its kernel streams from
                // panels, as a small convolution output's does. Every call of a shared
                // layer reads the same packing, so all of them must be that small.
                if model.calls(ofLayer: index).allSatisfy({ $0.outputShape.elementCount / max(config.units, 1) <= ConvolutionEmitter.smallOutputPixels }) {
                    packed.panelWidth = packed.lanes
                }
                packing[index] = .kernel(packed)
            case .batchNormalization(let config):
                let channels = layer.inputShape.lastAxis
                let gamma = config.scale ? addTensor("\(layer.name).gamma", [channels]) : nil
                let beta = config.center ? addTensor("\(layer.name).beta", [channels]) : nil
                let mean = addTensor("\(layer.name).moving_mean", [channels])
                let variance = addTensor("\(layer.name).moving_variance", [channels])
                let scale = reserveScaleAndShift(channels)
                packing[index] = .normalization(PackedNormalization(
                    gammaTensor: gamma, betaTensor: beta, meanTensor: mean, varianceTensor: variance,
                    epsilon: config.epsilon, channels: channels,
                    scaleOffset: scale, shiftOffset: scale + channels))
            case .layerNormalization(let config):
                // Keras's order: gamma, then beta.
                let channels = layer.inputShape.lastAxis
                let gamma = config.scale ? copy(addTensor("\(layer.name).gamma", [channels])) : nil
                let beta = config.center ? copy(addTensor("\(layer.name).beta", [channels])) : nil
                packing[index] = .layerNormalization(gamma: gamma, beta: beta)
            case .layerScale(let config):
                // Keras's gamma (C) is a 1x1 depthwise kernel (1, 1, C, 1), float for float.
                let gamma = addTensor("\(layer.name).gamma", [config.projectionDim], initialValue: config.initValues)
                packing[index] = .kernel(pack(kernel: gamma, bias: nil, rows: 1, outputs: config.projectionDim,
                                              lanes: Self.depthwiseLanes(channels: config.projectionDim)))
            case .prelu(let config):
                packing[index] = .prelu(alpha: copy(addTensor("\(layer.name).alpha", config.alphaShape(for: layer.inputShape))))
            case .normalization(let config) where config.constants == nil:
                let channels = layer.inputShape.lastAxis
                let mean = addTensor("\(layer.name).mean", [channels])
                let variance = addTensor("\(layer.name).variance", [channels])
                _ = addTensor("\(layer.name).count", [])
                let scale = reserveScaleAndShift(channels)
                packing[index] = .featureNormalization(PackedFeatureNormalization(
                    meanTensor: mean, varianceTensor: variance, invert: config.invert, channels: channels,
                    scaleOffset: scale, shiftOffset: scale + channels))
            default:
                break
            }
        }
        // A shared layer's later calls read the first call's weights (which
        // may come later in the model's order).
        for (index, layer) in model.layers.enumerated() {
            guard let owner = layer.sharesWeightsOf else { continue }
            packing[index] = packing[owner]
            layerParameters[index] = layerParameters[owner]
            layerPacked[index] = layerPacked[owner]
        }
    }

    private mutating func addTensor(_ name: String, _ shape: [Int], initialValue: Double? = nil) -> Int {
        tensors.append(Tensor(name: name, shape: shape, offset: parameterCount, initialValue: initialValue))
        parameterCount += shape.reduce(1, *)
        return tensors.count - 1
    }

    private mutating func copy(_ tensor: Int) -> PackedCopy {
        let count = tensors[tensor].count
        return PackedCopy(tensor: tensor, count: count, offset: reservePacked(count))
    }

    /// Room for `count` packed floats. Each block starts on a cache line (16
    /// floats from the buffer's start, which `PackedWeights` puts on one), as
    /// the arena's regions do, so that no kernel's vector spans two lines;
    /// blocks of the same sizes keep the same places relative to their
    /// layer's start, which kernel sharing relies on.
    private mutating func reservePacked(_ count: Int) -> Int {
        let start = packedCount
        packedCount = (start + count + Self.floatsPerCacheLine - 1) / Self.floatsPerCacheLine * Self.floatsPerCacheLine
        return start
    }

    static let floatsPerCacheLine = 16

    /// A normalization's folded scale, with its shift right after it, where a
    /// convolution's store reads both from one pointer (`EpilogueFusion`).
    private mutating func reserveScaleAndShift(_ channels: Int) -> Int {
        reservePacked(2 * channels)
    }

    private mutating func pack(kernel: Int, bias: Int?, rows: Int, outputs: Int, lanes: Int? = nil, rowPadding: Int = 0) -> PackedKernel {
        let lanes = lanes ?? Self.lanes(forOutputs: outputs)
        let padded = Self.paddedOutputs(outputs, lanes: lanes)
        return PackedKernel(kernelTensor: kernel, biasTensor: bias, rows: rows, outputs: outputs, lanes: lanes,
                            paddedOutputs: padded, kernelOffset: reservePacked(rows * (padded + rowPadding)), biasOffset: reservePacked(padded),
                            rowPadding: rowPadding)
    }

    /// Output channels rounded up to whole vectors of `lanes`.
    static func paddedOutputs(_ outputs: Int, lanes: Int) -> Int { (outputs + lanes - 1) / lanes * lanes }
    /// The same at the lanes `pack` picks by default (`lanes(forOutputs:)`).
    static func paddedOutputs(forOutputs outputs: Int) -> Int { paddedOutputs(outputs, lanes: lanes(forOutputs: outputs)) }

    /// A cache line after each row of a kernel whose rows, a power of two's
    /// lines apart, would crowd into a few sets of the L2 (1 MB of 16 ways:
    /// 1024 sets, picked by address bits 6 to 15): a row kernel reads one
    /// group's column of lines from every row, again for each block of
    /// pixels, and rows 4 KB apart put that column in 16 sets, 256 lines,
    /// where ResNet50's 256 → 1024 step on 14x14 pixels has 256 rows, beside
    /// its input and output. With an odd number of lines a row, a column
    /// spreads over every set: that step went from 575 to 465 µs a call (a
    /// scratch program, Zen 5) and 1024 outputs ran at 214 GFLOP/s where 960
    /// and 1088 ran at 246 and 262. Where a column's rows take at most half
    /// its sets' ways, nothing: the line costs memory and is never read.
    static func rowPadding(rows: Int, paddedOutputs: Int) -> Int {
        let lines = paddedOutputs / floatsPerCacheLine
        guard paddedOutputs % floatsPerCacheLine == 0, lines.isMultiple(of: 2) else { return 0 }
        var sharing = 1  // rows whose lines share a set: the largest power of two dividing `lines`, up to 1024
        while sharing < 1024 && lines.isMultiple(of: sharing * 2) { sharing *= 2 }
        return rows * sharing > 8 * 1024 ? floatsPerCacheLine : 0
    }
}

extension CheckedModel {
    /// Layer `index` and every later call of it (a shared layer's), which all read its packing.
    func calls(ofLayer index: Int) -> [CheckedLayer] {
        [layers[index]] + layers.filter { $0.sharesWeightsOf == index }
    }

    /// The model's weight tensors, with Keras's names and layouts, in the
    /// order of the generated model's parameter buffer: what a weights file
    /// must hold (cnnc compares one with it before compiling anything).
    public var weightTensors: [(name: String, shape: [Int], offset: Int)] {
        WeightPlan(model: self).tensors.map { ($0.name, $0.shape, $0.offset) }
    }

    /// Floats in the generated model's parameter buffer.
    public var parameterCount: Int { WeightPlan(model: self).parameterCount }

    /// The tensors Keras's optimizer updates, in the order of Keras's
    /// `model.trainable_variables` (layer by layer as `model.layers` lists
    /// them, each layer's weights in its own order, a shared layer's once):
    /// all but normalization statistics and the layers with `trainable: false`.
    public var trainableWeightTensors: [(name: String, shape: [Int], offset: Int)] {
        let statistics: Set<String> = ["moving_mean", "moving_variance", "mean", "variance", "count"]
        let frozen = Set(layers.filter(\.frozen).map(\.name))
        return weightTensors.filter { tensor in
            guard let dot = tensor.name.lastIndex(of: ".") else { return true }
            return !frozen.contains(String(tensor.name[..<dot])) && !statistics.contains(String(tensor.name[tensor.name.index(after: dot)...]))
        }
    }
}
