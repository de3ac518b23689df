/// Emits Conv2D and Dense (a Dense layer is a 1x1 convolution over its
/// positions) as specialized Swift: every size a constant, output channels in
/// SIMD lanes, a block of output pixels per pass so each weight vector loaded
/// is used several times from registers, bias and ReLU fused into the store.
/// The input is already padded (see `PaddingEmitter`), so no tap checks bounds.
struct ConvolutionEmitter: Codable, Hashable {
    var function: String
    var inputHeight: Int
    var inputWidth: Int
    var inputChannels: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    /// The zeros around the input in the padded buffer it reads (`same`
    /// padding): a flat block skips the taps where every pixel of the block
    /// reads only them, with their weights (`liveTaps`).
    var padding: Padding2D = .zero
    /// ReLU and linear are fused into the store; others run as a separate pass.
    var fusedReLU: Bool
    /// A register blocking chosen by the caller instead of the target's default.
    var blocking: Blocking? = nil
    /// The CPU kind whose registers the default blocking fills.
    var target: TargetCPU = .avx512on256
    /// Sums start from zero instead of the bias (for products that are not a whole layer).
    var startsFromZero = false
    /// The layers after it that run in its store at inference (`EpilogueFusion`).
    var epilogue: StoreEpilogue? = nil
    /// Rows of zeros at the top and bottom of the input whose taps a row of
    /// output skips, with their weights: dL/dx of a valid convolution
    /// (`InputGradientConvolution`) reads dL/dz inside a border as deep as the
    /// kernel, where LeNet-5's second layer spent 2 of every 7 multiply-adds on
    /// it. Undilated kernels only; nil for a forward pass, whose padding is thin.
    var zeroRows: ZeroRows? = nil

    /// Where output pixels go, in pixels of `outputs` floats: one row after
    /// another when nil. A strided layer's dL/dx (`InputGradientConvolution`)
    /// writes each phase straight to every stride-th pixel of every stride-th
    /// row. Not for a flat output (panels), whose blocks place pixels themselves.
    var outputPitch: OutputPitch? = nil

    struct OutputPitch: Codable, Hashable {
        var row: Int
        var pixel: Int
    }
    private var rowPitch: Int { outputPitch?.row ?? outputWidth }
    private var pixelPitch: Int { outputPitch?.pixel ?? 1 }

    struct ZeroRows: Codable, Hashable {
        var top: Int
        var bottom: Int
    }
    /// A caller limits calls to ranges of output rows (a SeparableConv2D's
    /// 1x1 step follows its depthwise step block of rows by block of rows), so
    /// `parts` must be rows: no blocks across them (`spansRows`). A flat
    /// output's parts stay groups of channels, which its caller knows.
    var keepsRowParts = false

    /// In the block path's layer-major functions (`BatchedTailProgram`), a flat
    /// output computed for every sample of the block in one call, its blocks
    /// made of the pixels of all samples at the places that read the same
    /// taps: a 3x3 'same' convolution on 2x2 pixels reads 4 of its 9 taps at
    /// each, where a block of one sample's 4 pixels multiplied the padding
    /// for the other 5, and a block of 8 samples' pixels at one place fills
    /// the registers where 4 pixels did not. nil: one sample a call.
    var sampleBlocks: SampleBlocks? = nil

    struct SampleBlocks: Codable, Hashable {
        var samples: Int
        /// Floats from one sample's arena to the next: its input and output both move by it.
        var stride: Int
    }

    /// An output pixel of a flat block: its place in the flattened output, in which sample.
    struct FlatPixel: Hashable {
        var sample: Int
        var position: Int
    }

    /// A small output (`isSmallOutput`), or a Dense layer on at most as many
    /// positions, whose kernel the weight plan packs in panels, runs as few
    /// blocks of the flattened output, spanning rows, each pixel's place a
    /// constant: every weight is read once a block instead of once a row.
    var flatOutput: Bool { packed.panelWidth != nil }

    /// At most this many output pixels (ResNet50's last stages at 64x64 have 4x4
    /// and 2x2): each weight is used only a few times, so the kernel is bound by
    /// reading weights, and reading them once per row (as a block of one row's
    /// pixels does) cost a 3x3 convolution of 256 channels on 4x4 pixels four
    /// reads of its 2.4 MB. Winograd's weights are 16/9 as large, so such a
    /// layer does not use it either. One row counts too: its weights are read
    /// once either way, but from panels they stream, where the row kernel
    /// read one 64-byte line per input channel, a row of outputs apart
    /// (InceptionV3's last stage at 75x75, 1x1 pixels of 448 and 384
    /// channels: 1.3 ms to 0.31 ms a layer on Zen 4).
    static let smallOutputPixels = 16

    static func isSmallOutput(height: Int, width: Int) -> Bool {
        height * width <= smallOutputPixels
    }

    /// A 1x1 convolution on at most 49 pixels (a 7x7 stage) whose weights
    /// outgrow the L2 (1 MB) reads them in panels too: its rows, one per
    /// input channel, come from memory, and a group of channels read each
    /// a row's stride apart while the L2 held the next group's and the
    /// input. ResNet50 at 224x224, 1x1 layers on 7x7 pixels of 2048
    /// channels (2–8 MB of weights): 1.30 → 1.03 ms and, strided from
    /// 14x14, 2.6 → 2.0 ms (76–81 → 99–103 GFLOP/s on Zen 4). A 3x3 layer
    /// of that size keeps Winograd.
    static func streamsPointwisePanels(kernel: Size2D, outputHeight: Int, outputWidth: Int, weightFloats: Int) -> Bool {
        kernel == .square(1) && outputHeight * outputWidth <= 49 && weightFloats > cachedWeightFloats
    }

    /// Floats of weights (1 MB: Zen 4's L2, twice Zen 3's) beyond which a
    /// layer's weights are taken to come from memory at every sample, for
    /// the layouts chosen by that (`streamsPointwisePanels`,
    /// `WeightPlan.PackedKernel.winogradPanels`).
    static let cachedWeightFloats = 256 * 1024

    /// The packing's vector width, but on AVX2 vectors of 8 where 16 would
    /// leave the last one half empty: 24 filters are 3 registers of 8, not
    /// 2 vectors of 16 computing 32 (an Inception branch at 76% of the FMA
    /// rate). The packed rows still hold `paddedOutputs` floats, read 8 at a time.
    /// Also vectors of 8 where a row's blocks hold more sums with them: a
    /// vector of 16 is two of AVX2's registers, so a block of them holds one
    /// vector of channels by at most 6 pixels, and a row of 4 (ResNet-20's
    /// 8x8 stage by Winograd's F(4x4): 4 tiles a product) holds 8 sums, 8
    /// independent chains of multiply-adds where two units of 4 cycles need
    /// 8 always in flight; in vectors of 8, 3 vectors by 4 pixels hold 12.
    var lanes: Int {
        guard target.registerLanes == 8, packed.lanes == 16, packed.panelWidth == nil, packed.outputs % 8 == 0 else { return packed.lanes }
        if packed.outputs % 16 != 0 { return 8 }
        guard blocking == nil else { return 16 }
        func sums(_ lanes: Int) -> Int {
            let block = Self.registerBlock(lanes: lanes, chunks: (outputs + lanes - 1) / lanes, width: outputWidth, target: target)
            return block.chunks * block.pixels * target.registers(lanes: lanes)
        }
        return sums(8) > sums(16) ? 8 : 16
    }
    /// The file-level name of this kernel's vectors (`V8`).
    var vector: String { VectorTypes.name(lanes) }
    var outputs: Int { packed.outputs }
    var paddedOutputs: Int { packed.paddedOutputs }

    /// Weight addressing: a row of `paddedOutputs` per input channel and tap,
    /// or panels of one vector of channels (`WeightPlan.PackedKernel.panelWidth`).
    private var weightRowStride: Int { packed.panelWidth ?? packed.rowStride }
    /// Where the weights of output channel `channel` start, from the kernel's.
    private func weightColumn(_ channel: Index) -> Index {
        packed.panelWidth == nil ? channel : channel * packed.rows
    }
    /// Chunk `j` of a group, from its first.
    private func chunkOffset(_ j: Int) -> Int { packed.panelWidth == nil ? j * lanes : j * packed.rows * lanes }

    struct Blocking: Codable, Hashable {
        var chunks: Int
        var pixels: Int
    }

    /// Chunks of `lanes` channels held in registers at once, and output pixels per pass.
    var chunksPerGroup: Int { min(registerBlock.chunks, (outputs + lanes - 1) / lanes) }
    var pixelsPerBlock: Int {
        max(1, min(registerBlock.pixels, flatOutput || spansRows ? outputHeight * outputWidth * (sampleBlocks?.samples ?? 1) : outputWidth))
    }
    private var registerBlock: Blocking {
        if let blocking { return blocking }
        if flatOutput { return sparingCacheSets(sampleBlocks == nil ? Self.flatBlock(lanes: lanes, pixels: outputHeight * outputWidth, target: target) : sampleBlocking) }
        return rowBlock(width: spansRows ? outputHeight * outputWidth : outputWidth)
    }
    private func rowBlock(width: Int) -> Blocking {
        blocking ?? Self.registerBlock(lanes: lanes, chunks: (outputs + lanes - 1) / lanes, width: width, target: target)
    }

    /// Whether blocks of pixels run on through the flattened output, across
    /// rows, instead of one row at a time. A row whose width the block does
    /// not divide ends in smaller blocks, each loading the weights for fewer
    /// multiply-adds: ResNet-20's 8-pixel rows made AVX2's 6-pixel blocks
    /// 4+4, 8 accumulators where 12 fit, and its stride-2 layer ran at 73% of
    /// the FMA rate. Across rows, every block but the last few is whole; each
    /// block works out where its pixels read and write once, before its taps,
    /// and keeps each pixel's offset in a register of its own. Worth it where
    /// it makes at least 5% fewer blocks, and where each tap sums at least 32
    /// input channels: with fewer, the offsets' registers crowd out the loops'
    /// (LeNet-5's second layer, 6 channels a tap, 88 → 71 GFLOP/s on Zen 3;
    /// ResNet-20's stride-2 layer, 32 a tap, 70 → 87).
    var spansRows: Bool {
        guard !flatOutput, !keepsRowParts, outputHeight >= 2, inputChannels >= 32 else { return false }
        let row = rowBlock(width: outputWidth), span = rowBlock(width: outputHeight * outputWidth)
        func groups(_ block: Blocking) -> Int { ((outputs + lanes - 1) / lanes + block.chunks - 1) / block.chunks }
        let rowBlocks = outputHeight * Self.blockCount(width: outputWidth, atMost: min(row.pixels, outputWidth)) * groups(row)
        let spanBlocks = Self.blockCount(width: outputHeight * outputWidth, atMost: span.pixels) * groups(span)
        return spanBlocks * 20 <= rowBlocks * 19
    }

    /// Whole rows a block holds where a row is at most half the register
    /// block; on a full-width AVX-512 core (`TargetCPU.hasFullWidthFMA`) one
    /// vector of channels by as many pixels as a flat block holds (28), where
    /// an 8-pixel row made 8 chains of multiply-adds, exactly what two 512-bit
    /// units of 4 cycles need and no slack for a load that comes late.
    /// inception_cifar's 5x5 layer on 8x8 pixels of 8 channels went from 1.94
    /// to 1.77 µs a call in bands of two rows and 1.74 in three (a scratch
    /// program, Zen 5). Each pixel's place is still a constant from the
    /// band's first row. 1: a block is part of one row.
    /// Not where the weights stream (`rowWeightHints` asks row by row), nor
    /// for dL/dx's rows of zeros or output pitch, which work per row; nor
    /// where a sum takes fewer than 32 multiply-adds (taps times channels),
    /// whose block's start and stores outweigh its chains, as for pairs of
    /// pixels (`PixelPairConvolutionEmitter.bandRows`): mini_resnet's 1x1
    /// shortcut on 8 channels ran 257 → 265 ns in bands.
    var bandRows: Int {
        guard splitsRows, blocking == nil, outputPitch == nil, zeroRows == nil, !streamsRowWeights,
              Self.sumsFillBands(taps: kernel.height * kernel.width, inputChannels: inputChannels) else { return 1 }
        let wide = target.hasFullWidthFMA && registerBlock.chunks == 1
        let most = wide ? Self.flatRoom(lanes: lanes, target: target) : registerBlock.pixels
        guard outputWidth * 2 <= most else { return 1 }
        return min(outputHeight, most / outputWidth)
    }

    /// Whether a sum is long enough for bands of rows (here and in
    /// `PixelPairConvolutionEmitter`): at least 32 multiply-adds, taps times
    /// input channels, beside which a block's start and stores are small.
    static func sumsFillBands(taps: Int, inputChannels: Int) -> Bool { taps * inputChannels >= 32 }

    private static func blockCount(width: Int, atMost pixels: Int) -> Int { (width + max(1, pixels) - 1) / max(1, pixels) }

    /// A flat output's block: one vector of channels by as many pixels as the
    /// registers hold beside its weight vector and a broadcast, in blocks of
    /// sizes that differ by at most one. Fewer than `independentSums` pixels
    /// take more vectors of channels, each from a panel of its own.
    static func flatBlock(lanes: Int, pixels: Int, target: TargetCPU) -> Blocking {
        let room = flatRoom(lanes: lanes, target: target)
        let blocks = (pixels + room - 1) / room
        let perBlock = (pixels + blocks - 1) / blocks
        var chunks = 1
        while chunks * perBlock < independentSums && (chunks + 1) * (perBlock + 1) - 1 <= room { chunks += 1 }
        return Blocking(chunks: chunks, pixels: perBlock)
    }

    /// Sums a block keeps apart so that its multiply-adds do not wait on one
    /// another (4 cycles each on Zen 3 and 4), and so many panels stream at
    /// once: a Dense layer's one pixel in one vector of channels would wait on
    /// each multiply-add. cats_vs_dogs's 10368 → 512 Dense (21 MB) took
    /// 1.11 ms read row by row, 128 rows a pass, and takes 0.60 ms from panels
    /// in four chains (`cnnc bench --per-layer`, batch 1, Zen 4); a scratch
    /// benchmark of the same product read its panels from L3 at 47 GB/s in
    /// one chain and 65 GB/s in four.
    static let independentSums = 4

    /// The flat block `block`, or as many accumulators in fewer pixels and more
    /// chunks where more than `cacheWays` of its pixels would read from one set
    /// of the L1 data cache at once. Every target's L1 picks a line's set from
    /// address bits 6 to 11, so inputs a multiple of 4 KB apart share a set: a
    /// pixel of ResNet50's 1024-channel stage is 4 KB, and a block of its 16
    /// pixels read 16 lines through one 8-way set, missing on every broadcast
    /// (a 1x1 convolution 1024 → 256 on 4x4 pixels at 51 GFLOP/s where 1008
    /// channels ran at 114, on Zen 4).
    ///
    /// The chunks are worked out from the first block's accumulators, not
    /// halving by halving: rounded down at each step, MobileNet's 7x7 stage
    /// (1024 channels, 4 KB a pixel) went from 25 pixels to 13 in one chunk,
    /// then 7 in one, 7 chains of multiply-adds where two 512-bit units of 4
    /// cycles need 8, and its 1024 → 1024 step ran at 196 GFLOP/s on a Zen 5.
    private func sparingCacheSets(_ block: Blocking) -> Blocking {
        let chunks = (outputs + lanes - 1) / lanes
        let room = Self.flatRoom(lanes: lanes, target: target)
        var pixels = block.pixels
        while pixels > 1 && mostLinesInOneCacheSet(flatBlocks(size: pixels)) > Self.cacheWays { pixels = (pixels + 1) / 2 }
        guard pixels < block.pixels else { return block }
        // As many accumulators as the first block, in chunks of `pixels` sums, each with its weight vector.
        let fitting = (room + 1) / (pixels + 1)
        return Blocking(chunks: max(1, min(chunks, fitting, (block.chunks * block.pixels + pixels - 1) / pixels)), pixels: pixels)
    }

    /// Where output pixel `i` of the flattened output starts reading the input (floats).
    private func flatInputOffset(_ i: Int) -> Int {
        (i / outputWidth) * strides.height * inputWidth * inputChannels + (i % outputWidth) * strides.width * inputChannels
    }

    /// Ways of the smallest L1 data cache among the targets (Zen 3 and 4: 32 KB,
    /// 8 ways of 64 sets; Intel's Golden Cove: 48 KB, 12 ways of 64 sets).
    static let cacheWays = 8

    /// The most cache lines that the pixels of one of `blocks` first read in one set of a 64-set L1.
    private func mostLinesInOneCacheSet(_ blocks: [[FlatPixel]]) -> Int {
        blocks.map { block in
            // Lines by set: pixels in one line (few channels) hold one way between them.
            var lines: [Int: Set<Int>] = [:]
            for pixel in block {
                let line = inputOffset(pixel) * MemoryLayout<Float>.size / 64
                lines[line % 64, default: []].insert(line)
            }
            return lines.values.map(\.count).max() ?? 0
        }.max() ?? 0
    }

    /// The block over samples (`sampleBlocks`): as many pixels as the largest
    /// class holds, up to what the registers hold, and for fewer (8 samples at
    /// one place) more vectors of channels, each with its weight vector.
    private var sampleBlocking: Blocking {
        let room = Self.flatRoom(lanes: lanes, target: target)
        let largest = sampleClasses.map(\.count).max() ?? 1
        let pixels = Self.flatBlock(lanes: lanes, pixels: largest, target: target).pixels
        var chunks = 1
        while chunks < (outputs + lanes - 1) / lanes && (chunks + 1) * (pixels + 1) - 1 <= room { chunks += 1 }
        return Blocking(chunks: chunks, pixels: pixels)
    }

    /// With `sampleBlocks`, the flat output's places grouped by the taps at
    /// which they read the input itself (in order of their first place), each
    /// group's places for every sample, sample after sample.
    private var sampleClasses: [[FlatPixel]] {
        guard let sampleBlocks else { return [] }
        return positionClasses.map { positions in
            (0..<sampleBlocks.samples).flatMap { sample in positions.map { FlatPixel(sample: sample, position: $0) } }
        }
    }

    /// The flat output's places grouped by the taps at which they read the input itself.
    private var positionClasses: [[Int]] {
        var classes: [(taps: [Int], positions: [Int])] = []
        for position in 0..<(outputHeight * outputWidth) {
            let taps = liveTaps(pixels: [position]).map { $0.ky * kernel.width + $0.kx }
            if let index = classes.firstIndex(where: { $0.taps == taps }) {
                classes[index].positions.append(position)
            } else {
                classes.append((taps, [position]))
            }
        }
        return classes.map(\.positions)
    }

    /// Whether a block over samples computes less or fills more registers
    /// than one sample's block: where some places skip taps that others read
    /// (the padding of a kernel larger than 1x1), or where one sample's output
    /// has fewer pixels than a block of 8. Elsewhere the layer-major functions
    /// run one sample's kernel for each sample, sharing its weights' slices
    /// (`ForwardWriter.kernelSharingWeights`), and the generated code stays
    /// smaller (DenseNet121's 1x1 layers on 4x4 pixels, one geometry each).
    var gainsFromSampleBlocks: Bool {
        flatOutput && (positionClasses.count > 1 || outputHeight * outputWidth < 8)
    }

    /// The flat output's blocks of at most `size` pixels, of sizes that differ
    /// by at most one: through the flattened output, or with `sampleBlocks`
    /// through each of `sampleClasses`.
    private func flatBlocks(size: Int) -> [[FlatPixel]] {
        let groups = sampleBlocks == nil ? [(0..<(outputHeight * outputWidth)).map { FlatPixel(sample: 0, position: $0) }] : sampleClasses
        return groups.flatMap { pixels -> [[FlatPixel]] in
            var start = 0
            return Self.pixelRuns(width: pixels.count, atMost: size).flatMap { run in
                (0..<run.blocks).map { _ in
                    defer { start += run.pixels }
                    return Array(pixels[start..<(start + run.pixels)])
                }
            }
        }
    }

    /// Whether a block asks for its weights ahead: a flat output, which
    /// streams its panels from memory using each weight a few times
    /// (ResNet50V2's 2x2 stage at 64x64, 9.4 MB a layer, read at 19 GB/s
    /// where this core reads 24). A block over 8 samples (`sampleBlocks`)
    /// uses each weight 8 times as often, yet its first block of samples
    /// still waits on the panels' lines: asking made ResNet50 at batch 32
    /// 3–5% faster (Zen 4). Panels of 8 lanes hold two rows a line,
    /// which would be asked for twice. Not a kernel of 256 KB or less, which
    /// the L2 keeps from one sample to the next: LeNet-5's first Dense layer
    /// (205 KB) ran 5% slower asking.
    private var prefetchesPanels: Bool {
        flatOutput && (lanes * MemoryLayout<Float>.size) % 64 == 0 && (panelsFromMemory ?? (packed.rows * paddedOutputs > 64 * 1024))
    }
    /// Whether the panels come from beyond the L2 whatever their own size
    /// says: a Winograd product's matrix is one of n² read one after
    /// another (`WinogradConvolutionEmitter.product`). nil: their size decides.
    var panelsFromMemory: Bool? = nil
    /// Floats ahead in a panel: 4 KB, about what memory delivers to one core while a line is on its way.
    static let prefetchDistance = 1024

    /// Whether a row kernel's weights (256 KB or more) come from L3 or memory
    /// at the start of each group's slice, a row's stride apart, crossing a
    /// 4 KB page every row or two, where no hardware prefetcher follows.
    /// Weights over the L2 (1 MB: Zen 4's, twice Zen 3's) always do:
    /// Xception's 728 → 728 pointwise step on 5x5 pixels (2.1 MB a layer)
    /// read them at 5.8 GB/s and ran at 71 GFLOP/s, where the same layer with
    /// its weights in L3 ran at 106. Smaller ones do too in a model whose
    /// weights together outgrow the caches, since every other layer's passed
    /// through them since the last sample: MobileNet's 512 → 512 steps on 6x6
    /// pixels (1 MB) ran at 95 GFLOP/s in the model and 117 alone, and a
    /// VM's share of a shared L3 can be a few MB (a pointer chase here
    /// reached memory's latency from 8 MB of a 32 MB L3). Such a kernel's
    /// group asks for the next group's weights while it computes
    /// (`InputPass.nextSlice`, `rowWeightHints`): Xception's step 90
    /// GFLOP/s, where asking for the same group's weights 16 or 48 rows of
    /// weights ahead came too late from memory (73 and 85); MobileNet's
    /// 110. A hint for a line already in the L1 costs a load slot, and a
    /// smaller kernel's first misses are a small part of its time.
    private var streamsRowWeights: Bool { !flatOutput && packed.rows * paddedOutputs >= 64 * 1024 }

    /// The blocks a flat output runs as.
    var flatBlocks: [[FlatPixel]] { flatBlocks(size: pixelsPerBlock) }

    /// Where a flat output's pixel starts reading its sample's input, and where it writes, from sample 0's (floats).
    private func inputOffset(_ pixel: FlatPixel) -> Int { pixel.sample * (sampleBlocks?.stride ?? 0) + flatInputOffset(pixel.position) }
    private func outputOffset(_ pixel: FlatPixel) -> Int { pixel.sample * (sampleBlocks?.stride ?? 0) + pixel.position * outputs }

    /// Accumulators a flat block may hold beside its weight vector and a broadcast (and two spare).
    static func flatRoom(lanes: Int, target: TargetCPU) -> Int {
        let perVector = target.registers(lanes: lanes)
        return max(1, (target.vectorRegisters - 1 - perVector) / perVector - 2)
    }

    /// The default block of `chunks` (at most) vectors of channels by a run of
    /// pixels (at most `width`). With AVX-512, 4 x 5 accumulators (plus 4 weight
    /// vectors and a broadcast) in the 32 registers, as measured on Zen 4. With
    /// fewer registers, or vectors wider than one register, the block of most
    /// accumulators that leaves room for its weight vectors and a broadcast:
    /// for AVX2 and SIMD16, one chunk of 6 pixels (12 + 2 + 1 of 16 registers).
    static func registerBlock(lanes: Int, chunks: Int, width: Int, target: TargetCPU) -> Blocking {
        if target.keepsAVX512Blocks(lanes: lanes) {
            let count = min(4, max(1, chunks))
            // One vector of channels by at most 8 pixels: a row of 10 splits into
            // 5 + 5, 5 chains of multiply-adds where two 512-bit FMA units of 4 cycles
            // need 8 in flight. There, up to 16 pixels (a row of 10 is one block):
            // on a Zen 5 toy_convnet's 5x5 layer to 16 filters on 10x10 went from
            // 3.93 to 2.74 µs (163 to 234 GFLOP/s), LeNet-5's from 3.03 to 2.17.
            if count == 1 && target.hasFullWidthFMA { return Blocking(chunks: 1, pixels: 16) }
            return Blocking(chunks: count, pixels: [1: 8, 2: 8, 3: 6, 4: 5][count] ?? 4)
        }
        // Counted as a row splits into blocks (`pixelRuns`): 8 pixels at most 6 a block are 4 + 4.
        let perVector = target.registers(lanes: lanes)
        var best = Blocking(chunks: 1, pixels: 1)
        for count in 1...max(1, min(4, chunks)) {
            let room = target.vectorRegisters - 1 - count * perVector
            let most = min(8, max(1, width), room / (count * perVector))
            guard most >= 1 else { continue }
            let pixels = pixelRuns(width: max(1, width), atMost: most).map(\.pixels).max() ?? most
            if count * pixels > best.chunks * best.pixels { best = Blocking(chunks: count, pixels: pixels) }
        }
        return best
    }

    /// What a call can be limited to, so that workers share one layer of one
    /// sample: rows of output, blocks of pixels where they run across rows
    /// (`spansRows`), or for a single row (a Dense layer) groups of output
    /// channels. `parts` of them; the function takes a range of them.
    var splitsRows: Bool { outputHeight >= 2 && !flatOutput && !spansRows }
    /// Whether a call's parts are groups of output channels (else rows, or blocks across rows).
    var partsAreChannelGroups: Bool { !splitsRows && !spansRows }
    var parts: Int { splitsRows ? outputHeight : spansRows ? pixelRuns.map(\.blocks).reduce(0, +) : groupCount }
    private var loopGroups: Int { (outputs / lanes) / chunksPerGroup }
    private var restChunks: Int { (outputs + lanes - 1) / lanes - loopGroups * chunksPerGroup }
    private var groupCount: Int { loopGroups + (restChunks > 0 ? 1 : 0) }

    func emit(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>\(epilogue?.parameter ?? ""), _ parts: Range<Int> = 0..<\(parts))") { out in
            let names = packed.namedParts(kernelUsed: readsKernel, biasUsed: !startsFromZero)
            if !names.isEmpty { out.line(names) }
            guard let rows = inputChannelsPerPass, rows < inputChannels else {
                emitGroups(pass: InputPass(start: nil, count: inputChannels, first: true, last: true), into: &out)
                return
            }
            // Passes over \(rows) input channels at a time, so that a pass's
            // weights stay in cache while every pixel block uses them.
            let middle = (inputChannels + rows - 1) / rows - 2
            out.line("// Input channels 0..<\(rows), accumulated on the bias.")
            emitGroups(pass: InputPass(start: nil, count: rows, first: true, last: false), into: &out)
            if middle > 0 {
                out.block("for pass in 1...\(middle)") { out in
                    out.line("let k0 = pass * \(rows)")
                    emitGroups(pass: InputPass(start: "k0", count: rows, first: false, last: false), into: &out)
                }
            }
            let lastStart = (middle + 1) * rows
            out.line("// Input channels \(lastStart)..<\(inputChannels), then the activation.")
            out.block("do") { out in
                out.line("let k0 = \(lastStart)")
                emitGroups(pass: InputPass(start: "k0", count: inputChannels - lastStart, first: false, last: true), into: &out)
            }
        }
    }

    /// Input channels summed by one pass over the output: all of them, or for a
    /// 1x1 kernel whose weights exceed the L2 (Xception's 728 → 728 step,
    /// 2.1 MB), 256 KB of weight rows at a time. Each pixel block then reads
    /// its weights from cache instead of memory, at the price of storing and
    /// reloading partial sums, which changes no bit of them.
    var inputChannelsPerPass: Int? {
        let weightBytes = inputChannels * paddedOutputs * MemoryLayout<Float>.size
        // A flat output reads each weight once a block already.
        guard !flatOutput, kernel.height * kernel.width == 1, weightBytes > 1 << 20 else { return nil }
        return max(16, (256 << 10) / (paddedOutputs * MemoryLayout<Float>.size))
    }

    /// Floats in a 64-byte cache line, and the lines of one row of a group's weights (what a hint asks for).
    private static let floatsPerLine = 64 / MemoryLayout<Float>.size
    private var groupRowLines: Int { (chunksPerGroup * lanes + Self.floatsPerLine - 1) / Self.floatsPerLine }

    /// Where a row kernel's block (one a row) asks for the weights of the group
    /// after it (`InputPass.nextSlice`), from the start of each row of weights it
    /// reads: one 64-byte line of the next group's row a row of output, so
    /// that the group's rows together ask for all of its lines once, evenly
    /// through the group's time. Asked for at once, a group's worth of lines
    /// (22 KB for Xception's 728-channel step) outran what memory delivers
    /// in one row's time. Blocks across rows, and rows of several blocks, ask
    /// for a share of the rows before their loop (`blockWeightHints`).
    /// The next group is as wide as a whole group, also after the narrower
    /// remaining channels (the next pass's first group).
    private func rowWeightHints(pass: InputPass, row oy: Index?, into out: inout SourceWriter) -> [Index] {
        guard !flatOutput, let next = pass.nextSlice else { return [] }
        let (floatsPerLine, lines) = (Self.floatsPerLine, groupRowLines)
        guard let oy, outputHeight > 1, lines > 1 else { return (0..<lines).map { next + $0 * floatsPerLine } }
        let perRow = (lines + outputHeight - 1) / outputHeight
        return (0..<perRow).map { i in
            if let row = oy.constantValue { return next + (row * perRow + i) % lines * floatsPerLine }
            out.line("let ahead\(i) = \(next) + (\(oy) * \(perRow) + \(i)) % \(lines) * \(floatsPerLine)")
            return Index("ahead\(i)")
        }
    }

    /// Where block `block` of a group's `blocks` asks for the weights of the
    /// group after it: every line of its share of the next group's rows,
    /// before its loop over them, so that the group's blocks together ask for
    /// each line once. Blocks across rows (`spansRows`, block `b` of `parts`)
    /// asked in the loop, every line at every row in every block: MobileNet's
    /// 28x28 1x1 layer (157 blocks a group) ran 540 µs, 418 asking for nothing
    /// (a scratch program, Zen 5): four more load slots a row, and the next
    /// group's lines pulled into the L1 over the lines of this one. Rows of
    /// several blocks (its 14x14 layers: 3 a row) asked the same line in each.
    private func blockWeightHints(pass: InputPass, block: Index, of blocks: Int, into out: inout SourceWriter) {
        guard !flatOutput, let next = pass.nextSlice else { return }
        let (floatsPerLine, lines) = (Self.floatsPerLine, groupRowLines)
        let share = (pass.count + blocks - 1) / blocks
        let first = block * share
        out.block("for row in stride(from: \(first), to: Swift.min(\(first + share), \(pass.count)), by: 1)") { out in
            out.line((0..<lines).map { "wp.prefetch(at: \(Index("row") * weightRowStride + next + $0 * floatsPerLine))" }.joined(separator: "; "))
        }
    }

    /// Which input channels a pass sums (from `start`, an expression, or 0), and
    /// whether its sums start from the bias and end with the activation.
    struct InputPass {
        var start: String?
        var count: Int
        var first: Bool
        var last: Bool
        /// Where the weights a group reads next start, from its own (floats:
        /// a constant, or `next`), where a row kernel streams its weights
        /// (`streamsRowWeights`); nil where nothing is asked for.
        var nextSlice: Index? = nil
    }

    private func emitGroups(pass: InputPass, into out: inout SourceWriter) {
        // Groups of channels a call computes: all of them when it is limited to rows.
        func only(_ group: Int, _ body: (inout SourceWriter) -> Void) {
            if partsAreChannelGroups { out.block("if parts.contains(\(group))", body) } else { body(&out) }
        }
        let groupWidth = chunksPerGroup * lanes
        /// From group `group`'s weights to the next pass's first group's (none after the last pass).
        func nextPass(from group: Int) -> Index? {
            pass.last ? nil : Index(pass.count * weightRowStride - group * groupWidth)
        }
        let streams = streamsRowWeights
        if loopGroups > 0 {
            if loopGroups == 1 {
                var pass = pass
                if streams { pass.nextSlice = restChunks > 0 ? Index(groupWidth) : nextPass(from: 0) }
                only(0) { out in emitGroup(chunks: chunksPerGroup, channelBase: Index(0), pass: pass, into: &out) }
            } else {
                out.block("for g in \(partsAreChannelGroups ? "parts.clamped(to: 0..<\(loopGroups))" : "0..<\(loopGroups)")") { out in
                    out.line("let c0 = g * \(groupWidth)")
                    var pass = pass
                    if streams {
                        // The last looped group's next slice is the next pass's first, unless the remaining
                        // channels follow; after the last pass its hints fall on lines already read (a hint, harmless).
                        if restChunks == 0, let next = nextPass(from: loopGroups - 1) {
                            out.line("let next = g < \(loopGroups - 1) ? \(groupWidth) : \(next)")
                            pass.nextSlice = Index("next")
                        } else {
                            pass.nextSlice = Index(groupWidth)
                        }
                    }
                    emitGroup(chunks: chunksPerGroup, channelBase: Index("c0"), pass: pass, into: &out)
                }
            }
        }
        if restChunks > 0 {
            out.line("// The remaining \(outputs - loopGroups * chunksPerGroup * lanes) output channels.")
            var pass = pass
            if streams { pass.nextSlice = nextPass(from: loopGroups) }
            only(loopGroups) { out in
                emitGroup(chunks: restChunks, channelBase: Index(loopGroups * chunksPerGroup * lanes), pass: pass, into: &out)
            }
        }
    }

    private func emitGroup(chunks: Int, channelBase: Index, pass: InputPass, into out: inout SourceWriter) {
        if flatOutput {
            for block in flatBlocks {
                out.block("do") { out in
                    emitBlock(chunks: chunks, pixels: block.count, channelBase: channelBase, pass: pass, flat: block, into: &out)
                }
            }
            return
        }
        if spansRows {
            // Blocks through the flattened output; a call computes the blocks in `parts`.
            var (block, pixel) = (0, 0)
            for run in pixelRuns {
                out.block("for b in parts.clamped(to: \(block)..<\(block + run.blocks))") { out in
                    out.line("let i0 = " + (block == 0 ? "b * \(run.pixels)" : "\(pixel) + (b - \(block)) * \(run.pixels)"))
                    emitBlock(chunks: chunks, pixels: run.pixels, channelBase: channelBase, pass: pass, spanStart: "i0", into: &out)
                }
                (block, pixel) = (block + run.blocks, pixel + run.blocks * run.pixels)
            }
            return
        }
        func row(_ out: inout SourceWriter, _ oy: Index) {
            Self.emitRow(pixelRuns, into: &out) { out, ox, pixels, index in
                emitBlock(chunks: chunks, pixels: pixels, channelBase: channelBase, pass: pass, at: (oy, ox), rowBlock: index, into: &out)
            }
        }
        let band = bandRows
        if band > 1 {
            // Bands of `band` rows, one block each; then the rows of `parts` that make no whole band.
            out.block("for oy in stride(from: parts.lowerBound, to: parts.upperBound - \(band - 1), by: \(band))") { out in
                emitBlock(chunks: chunks, pixels: band * outputWidth, channelBase: channelBase, pass: pass, at: (Index("oy"), Index(0)), bandRows: band, into: &out)
            }
            out.block("for oy in (parts.lowerBound + parts.count / \(band) * \(band))..<parts.upperBound") { out in row(&out, Index("oy")) }
        } else if splitsRows {
            out.block("for oy in parts") { out in row(&out, Index("oy")) }
        } else {
            out.loop("oy", count: outputHeight, row)
        }
    }

    /// One row of output pixels as its runs of blocks: `block(out, ox, pixels, index)`
    /// writes a block that starts at the pixel `ox` (a constant, or a `let` this declares),
    /// the row's block `index` (a constant, or of the loop's `bx`).
    static func emitRow(_ runs: [(blocks: Int, pixels: Int)], into out: inout SourceWriter,
                        block: (inout SourceWriter, Index, Int, Index) -> Void) {
        var (ox, index) = (0, 0)
        for run in runs {
            if run.blocks == 1 && runs.count == 1 {
                block(&out, Index(ox), run.pixels, Index(index))
            } else if run.blocks == 1 {
                out.block("do") { out in block(&out, Index(ox), run.pixels, Index(index)) }
            } else {
                out.block("for bx in 0..<\(run.blocks)") { out in
                    out.line("let ox = \(Index("bx") * run.pixels + ox)")
                    block(&out, Index("ox"), run.pixels, Index("bx") + index)
                }
            }
            ox += run.blocks * run.pixels
            index += run.blocks
        }
    }

    /// A row of output pixels split into as few blocks as the registers allow, of
    /// sizes that differ by at most one: 11 pixels at 5 a block become 4+4+3, not
    /// 5+5+1, because a one-pixel block loads a weight vector per multiply-add and
    /// runs at a fraction of the rate.
    var pixelRuns: [(blocks: Int, pixels: Int)] {
        Self.pixelRuns(width: flatOutput || spansRows ? outputHeight * outputWidth : outputWidth, atMost: pixelsPerBlock)
    }

    /// Whether some block reads the kernel: not when every pixel of a flat
    /// output reads only padding (a dilated kernel's edge), which is its bias.
    private var readsKernel: Bool {
        guard flatOutput else { return true }
        return flatBlocks.contains { !liveTaps(pixels: $0.map(\.position)).isEmpty }
    }

    /// The taps (ky, kx) at which some output pixel of `pixels` (flattened)
    /// reads the input itself rather than the padding around it.
    func liveTaps(pixels: some Collection<Int>) -> [(ky: Int, kx: Int)] {
        let rows = padding.top..<(inputHeight - padding.bottom), columns = padding.left..<(inputWidth - padding.right)
        var live: [(ky: Int, kx: Int)] = []
        for ky in 0..<kernel.height {
            for kx in 0..<kernel.width {
                let reads = pixels.contains { i in
                    rows.contains((i / outputWidth) * strides.height + ky * dilation.height)
                        && columns.contains((i % outputWidth) * strides.width + kx * dilation.width)
                }
                if reads { live.append((ky, kx)) }
            }
        }
        return live
    }

    static func pixelRuns(width: Int, atMost pixelsPerBlock: Int) -> [(blocks: Int, pixels: Int)] {
        let blockCount = (width + pixelsPerBlock - 1) / pixelsPerBlock
        let small = width / blockCount
        let large = width % blockCount
        return [(large, small + 1), (blockCount - large, small)].filter { $0.blocks > 0 }
    }

    /// `pixels` neighbouring output pixels x `chunks` vectors of output channels.
    /// `flat`: the block is these pixels of the flattened output (`flatBlocks`), not `ox...` of row `oy`;
    /// `spanStart`: likewise, from a pixel known at run time (`spansRows`).
    private func emitBlock(chunks: Int, pixels: Int, channelBase: Index, pass: InputPass, flat: [FlatPixel]? = nil, spanStart: String? = nil,
                           at pixel: (oy: Index, ox: Index) = (Index(0), Index(0)), rowBlock: Index = Index(0), bandRows: Int = 1,
                           into out: inout SourceWriter) {
        /// Channels of chunk `j` that exist: looped groups hold only full chunks;
        /// a group at a constant channel base may end in the partial last chunk.
        func channelsLeft(_ j: Int) -> Int { channelBase.constantValue.map { outputs - $0 - j * lanes } ?? lanes }
        let rowStride = inputWidth * inputChannels
        let pixelStride = strides.width * inputChannels
        if let spanStart {
            // Where each pixel reads (a) and, with an output pitch, writes (o), from its place in the flattened output,
            // by the file's `flatOffset` (row · row stride + column · pixel stride): a call the type checker settles
            // at once, where the arithmetic written out, five operators and four literals a pixel, took ResNet50's
            // 3x3 kernels a quarter of their type-checking.
            let place = (0..<pixels).map { p in p == 0 ? spanStart : "\(spanStart) + \(p)" }
            out.line("let " + place.enumerated().map { p, at in "a\(p) = flatOffset(\(at), \(outputWidth), \(strides.height * rowStride), \(pixelStride))" }.joined(separator: ", "))
            if outputPitch == nil {
                out.line("let yp = \((Index(spanStart) * outputs + channelBase).offsetting("y"))")
            } else {
                out.line("let " + place.enumerated().map { p, at in "o\(p) = flatOffset(\(at), \(outputWidth), \(rowPitch), \(pixelPitch))" }.joined(separator: ", "))
                out.line("let yp = \(channelBase.offsetting("y"))")
            }
        } else if let flat {
            out.line("let yp = \((Index(self.outputOffset(flat[0])) + channelBase).offsetting("y"))")
        } else {
            out.line("let yp = \(((pixel.oy * rowPitch + pixel.ox * pixelPitch) * outputs + channelBase).offsetting("y"))")
        }
        /// Pixel p of a band (`bandRows`): its row in the band and column in the row.
        let rowPixels = pixels / bandRows
        func inBand(_ p: Int) -> (row: Int, column: Int) { (p / rowPixels, p % rowPixels) }
        /// Where pixel p's chunk j is stored, from `yp`.
        func outputOffset(_ p: Int, _ j: Int) -> Index {
            if let flat { return Index(self.outputOffset(flat[p]) - self.outputOffset(flat[0]) + j * lanes) }
            if bandRows > 1 { return Index((inBand(p).row * rowPitch + inBand(p).column * pixelPitch) * outputs + j * lanes) }
            return spanStart != nil && outputPitch != nil ? Index("o\(p)") * outputs + j * lanes : Index(p * pixelPitch * outputs + j * lanes)
        }
        let taps = kernel.height * kernel.width
        let live = flat.map { liveTaps(pixels: $0.map(\.position)) }
        // Pixels that read only padding (a dilated kernel's edge) are their bias.
        let sums = live?.isEmpty == true ? "let" : "var"
        for p in 0..<pixels {
            for j in 0..<chunks {
                let offset = outputOffset(p, j)
                if pass.first && startsFromZero {
                    out.line("\(sums) s\(p)_\(j) = \(vector)()")
                } else if pass.first {
                    out.line("\(sums) s\(p)_\(j) = bias.\(VectorTypes.load(vector))(at: \(Index(j * lanes) + channelBase))")
                } else if channelsLeft(j) >= lanes {
                    out.line("var s\(p)_\(j) = UnsafePointer(yp).\(VectorTypes.load(vector))(at: \(offset))")
                } else {
                    out.line("var s\(p)_\(j) = \(vector)(); " + Index.loopLine("lane", count: channelsLeft(j)) { lane in "s\(p)_\(j)[\(lane)] = yp[\(lane + offset)]" })
                }
            }
        }
        /// Pixel `p` of the block, relative to its first.
        func pixelOffset(_ p: Int) -> Index {
            if spanStart != nil { return Index("a\(p)") }
            if bandRows > 1 { return Index(inBand(p).row * strides.height * rowStride + inBand(p).column * pixelStride) }
            guard let flat else { return Index(p * pixelStride) }
            return Index(inputOffset(flat[p]) - inputOffset(flat[0]))
        }
        // Blocks across rows, and rows of several blocks, ask for their share of the next
        // group's rows before their loop (`blockWeightHints`); a row of one block, in it.
        let blocksPerRow = pixelRuns.map(\.blocks).reduce(0, +)
        let share: (block: Index, of: Int)? = spanStart != nil ? (Index("b"), parts)
            : flat == nil && blocksPerRow > 1 ? (pixel.oy * blocksPerRow + rowBlock, outputHeight * blocksPerRow) : nil
        let hints = share == nil ? rowWeightHints(pass: pass, row: flat == nil ? pixel.oy : nil, into: &out) : []
        func body(_ out: inout SourceWriter, xp: Index, wp: Index) {
            out.line("let xp = \(xp.offsetting("x"))")
            out.line("let wp = \(wp.offsetting("kernel"))")
            if let share { blockWeightHints(pass: pass, block: share.block, of: share.of, into: &out) }
            out.loop("ci", count: pass.count) { out, ci in
                for j in 0..<chunks {
                    out.line("let w\(j) = wp.\(VectorTypes.load(vector))(at: \(ci * weightRowStride + chunkOffset(j)))")
                    if prefetchesPanels {
                        out.line("wp.prefetch(at: \(ci * weightRowStride + chunkOffset(j) + Self.prefetchDistance))")
                    }
                }
                for hint in hints {
                    out.line("wp.prefetch(at: \(ci * weightRowStride + hint))")
                }
                for p in 0..<pixels {
                    out.line("let x\(p) = \(vector)(repeating: xp[\(pixelOffset(p) + ci)])")
                    for j in 0..<chunks {
                        out.line("s\(p)_\(j) = madd(s\(p)_\(j), x\(p), w\(j))")
                    }
                }
            }
        }
        let origin = spanStart != nil ? Index(0) : flat.map { Index(inputOffset($0[0])) } ?? pixel.oy * (strides.height * rowStride) + pixel.ox * pixelStride
        let kernelStart = weightColumn(channelBase)
        if let live, live.count < taps {
            // Each tap that reads real input for some pixel of the block; the others multiply zeros.
            out.line("// \(taps - live.count) of the \(taps) taps read only padding for these pixels: skipped, with their weights")
            let rows = Set(live.map(\.ky)).sorted(), columns = Set(live.map(\.kx)).sorted()
            if live.count > 1, let top = rows.first, let bottom = rows.last, let left = columns.first, let right = columns.last,
               rows.count == bottom - top + 1, columns.count == right - left + 1, rows.count * columns.count == live.count {
                // A rectangle of taps (each pixel's are): one body in loops, not one body a tap.
                out.block("for ky in \(top)..<\(bottom + 1)") { out in
                    out.block("for kx in \(left)..<\(right + 1)") { out in
                        body(&out, xp: origin + Index("ky") * (dilation.height * rowStride) + Index("kx") * (dilation.width * inputChannels),
                             wp: kernelStart + (Index("ky") * kernel.width + Index("kx")) * (inputChannels * weightRowStride))
                    }
                }
            } else {
                for (ky, kx) in live {
                    out.block("do", opening: " {") { out in
                        body(&out, xp: origin + (ky * dilation.height * rowStride + kx * dilation.width * inputChannels),
                             wp: kernelStart + (ky * kernel.width + kx) * inputChannels * weightRowStride)
                    }
                }
            }
        } else if taps == 1 {
            let firstChannel = pass.start.map { Index($0) } ?? Index(0)
            body(&out, xp: origin + firstChannel, wp: kernelStart + firstChannel * weightRowStride)
        } else if let zeroRows, dilation.height == 1, kernel.height > 1, flat == nil {
            // Only the kernel rows that read input rows below the top zeros and above the bottom ones.
            let last = inputHeight - zeroRows.bottom
            if let spanStart {
                // The block's rows run from its first pixel's to its last's: the taps some of them need.
                out.line("let ky0 = Swift.max(0, \(zeroRows.top) - (\(spanStart) + \(pixels - 1)) / \(outputWidth)), ky1 = Swift.min(\(kernel.height), \(last) - \(spanStart) / \(outputWidth))")
            } else if let oy = pixel.oy.constantValue {
                out.line("let ky0 = \(max(0, zeroRows.top - oy)), ky1 = \(min(kernel.height, last - oy))")
            } else {
                out.line("let ky0 = Swift.max(0, \(zeroRows.top) - \(pixel.oy)), ky1 = Swift.min(\(kernel.height), \(last) - \(pixel.oy))")
            }
            out.block("for ky in ky0..<ky1") { out in
                out.loop("kx", count: kernel.width) { out, kx in
                    body(&out,
                         xp: origin + Index("ky") * (dilation.height * rowStride) + kx * (dilation.width * inputChannels),
                         wp: kernelStart + (Index("ky") * kernel.width + kx) * (inputChannels * weightRowStride))
                }
            }
        } else {
            // The kernel window: constant trip counts, unrolled by the optimizer.
            out.loops([("ky", kernel.height), ("kx", kernel.width)]) { out, tap in
                let (ky, kx) = (tap[0], tap[1])
                body(&out,
                     xp: origin + ky * (dilation.height * rowStride) + kx * (dilation.width * inputChannels),
                     wp: kernelStart + (ky * kernel.width + kx) * (inputChannels * weightRowStride))
            }
        }
        for p in 0..<pixels {
            for j in 0..<chunks {
                // ReLU as a compare and blend: the standard library's pointwiseMax
                // stayed a call per vector for SIMD8 (a quarter of toy_convnet's time).
                var value = fusedReLU && pass.last ? "zeroingNegatives(s\(p)_\(j))" : "s\(p)_\(j)"
                if pass.last, let epilogue {
                    value = epilogue.apply(to: value, name: "e\(p)_\(j)", vector: vector, lanes: lanes, channel: Index(j * lanes) + channelBase,
                                           existing: min(lanes, channelsLeft(j)), into: &out)
                }
                let offset = outputOffset(p, j)
                if channelsLeft(j) >= lanes {
                    out.line("yp.store(\(value), at: \(offset))")
                } else {
                    out.line("do { let v = \(value); " + Index.loopLine("lane", count: channelsLeft(j)) { lane in "yp[\(lane + offset)] = v[\(lane)]" } + " }")
                }
            }
        }
    }
}
