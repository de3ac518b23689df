/// Emits a Conv2D to at most 4 filters (an Inception branch's 1x1 reduction
/// to 4 channels, a segmentation head's few classes, a U-Net's last 3x3 to
/// one mask) with a chunk of consecutive input channels of every filter in
/// SIMD lanes: lane f·G + k of a pixel's vector of 8 sums holds filter f's
/// products with input channels c + k of each chunk of G = 8 / filter slots,
/// summed over the taps (each a 1x1 convolution of the padded input moved
/// by it). Each multiply-add reads the pixel's G channels once, repeated
/// across the filters (a `vbroadcastsd` of two channels for 4 filters,
/// straight from memory: no shuffle), against the chunk's weights packed in
/// that order (`WeightPacking.chunkLanes`). With the filters alone in lanes
/// (`ConvolutionEmitter`) such a layer ran in vectors of 4, one broadcast
/// per multiply-add, which the Zen 4 executes at half its rate of 8 or 16
/// (inception_cifar's 5x5 reduction at 46 GFLOP/s, 48% of SGEMM), and one
/// filter used one lane of the four.
///
/// A pixel's G partial sums of each filter are then added across lanes:
/// pairs of pixels' vectors give one vector of half as many partial sums of
/// both (`pairSums`: their even lanes plus their odd lanes, which keeps the
/// pixels in order), until G pixels' filters fill a vector in the output's
/// own order, stored whole. The sums of a block of pixels go through a small
/// scratch between the multiply-adds and the sums across lanes: written out
/// in one function, LLVM moved the lane shuffles into the loop of
/// multiply-adds and ran it 6x slower (a scratch benchmark on Zen 4: 7.4 µs
/// against 0.76 µs for 256 pixels of 32 channels to 4 filters).
struct ChunkLaneConvolutionEmitter: Codable, Hashable {
    var function: String
    /// The input's width, padding included: the kernel reads the padded copy
    /// (`PaddingEmitter`), so no tap checks bounds.
    var inputWidth: Int
    var inputChannels: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    /// Where the chunked kernel starts (`WeightPlan.PackedKernel.chunkedOffset`).
    var chunkedOffset: Int
    var fusedReLU: Bool
    /// The layers after it that run in its store at inference (`EpilogueFusion`):
    /// their per-channel scale and shift repeated in the output's pattern, like the bias.
    var epilogue: StoreEpilogue? = nil

    /// Vectors of 8, or of 16 where the FMA units are that wide
    /// (`TargetCPU.hasFullWidthFMA`): a vector of 8 takes the slot of one of
    /// 16 there, and inception_cifar's 1x1 layers to 4 and 8 filters ran at
    /// 38-46% of SGEMM on a Zen 5. A vector of 8 holds 2 pixels' 4 filters, a
    /// whole number of outputs, and its sums across lanes take one shuffle
    /// level for 4 filters; one of 16 holds 2 channels of 5-8 filters, or
    /// 4 of 4. Never 16 channels of one filter: a block's 8 pixels would not
    /// fill a vector of its outputs. The packing is for these vectors
    /// (`WeightPlan.PackedKernel.chunkLanes`).
    static func lanes(target: TargetCPU, inputChannels: Int, outputs: Int) -> Int {
        let slots = filterSlots(outputs: outputs)
        return target.hasFullWidthFMA && slots >= 2 && inputChannels % (16 / slots) == 0 ? 16 : 8
    }
    var lanes: Int { packed.chunkLanes }
    /// Whether the layer's kernel runs turned chunks: each multiply-add takes
    /// a whole vector of 16 input channels, as loaded or with its lanes
    /// exchanged within each group of filter slots (turn t gives lane
    /// g·slots + s channel g·slots + (s XOR t): within 128-bit lanes, or
    /// the two halves of 256 bits swapped for t ≥ 4), against weights packed
    /// to meet them (`WeightPacking.turnedChunkLanes`). After every turn
    /// lane g·slots + s holds filter s's products with group g's channels,
    /// which the sums across lanes add up group by group (`halfSums`). Only
    /// where a broadcast load costs more than a shuffle
    /// (`TargetCPU.broadcastsCostMoreThanShuffles`). inception_cifar's 1x1
    /// layers on 16x16x32, alone in a scratch program on a Zen 5: to 4
    /// filters 471 ns with a `vbroadcastf32x4` a multiply-add, 294 turned;
    /// to 8 filters 768 ns with a `vbroadcastsd`, 608 turned (752 with
    /// rotations instead of XOR, which cross 128-bit lanes).
    static func turnsChunks(target: TargetCPU, inputChannels: Int, outputs: Int) -> Bool {
        let lanes = lanes(target: target, inputChannels: inputChannels, outputs: outputs)
        return target.broadcastsCostMoreThanShuffles && lanes == 16 && filterSlots(outputs: outputs) > 1
            && inputChannels % lanes == 0
    }
    private var turns: Bool { packed.turnedChunks }

    /// Output pixels a block computes together: 8 sums in flight, as two
    /// FMA units of 4 cycles need, in AVX2's 16 registers with the weights
    /// and an input vector.
    static let blockPixels = 8
    /// Blocks a run computes before adding their sums across lanes: a
    /// scratch of 2 KB, in the L1 cache when read back. A call's `parts` are runs.
    static let blocksPerRun = 8

    /// Whether this layout suits the layer: at most 4 filters (8 in vectors
    /// of 16), input channels a whole number of chunks (a chunk never reads
    /// the next pixel's channels), and more output pixels than a small
    /// output's (whose weights `ConvolutionEmitter` reads in panels).
    static func suits(target: TargetCPU, inputChannels: Int, outputs: Int, outputHeight: Int, outputWidth: Int) -> Bool {
        let lanes = lanes(target: target, inputChannels: inputChannels, outputs: outputs)
        return outputs <= lanes / 2 && inputChannels % chunk(outputs: outputs, lanes: lanes) == 0
            && !ConvolutionEmitter.isSmallOutput(height: outputHeight, width: outputWidth)
    }

    /// Filters a vector holds: 1, 2, 4 or 8 (3 filters take 4 slots, 5-7
    /// take 8, the rest never stored).
    static func filterSlots(outputs: Int) -> Int { outputs == 3 ? 4 : outputs > 4 ? 8 : outputs }
    /// Input channels a vector of `lanes` holds of each filter.
    static func chunk(outputs: Int, lanes: Int) -> Int { lanes / filterSlots(outputs: outputs) }
    /// Floats the chunked kernel takes: for each tap and chunk of its input channels, one vector.
    static func packedCount(rows: Int, outputs: Int) -> Int { rows * filterSlots(outputs: outputs) }

    private var filters: Int { packed.outputs }
    private var slots: Int { Self.filterSlots(outputs: filters) }
    private var chunk: Int { Self.chunk(outputs: filters, lanes: lanes) }
    private var vector: String { VectorTypes.name(lanes) }
    private var pixels: Int { outputHeight * outputWidth }
    private var blocks: Int { (pixels + Self.blockPixels - 1) / Self.blockPixels }
    /// Runs: whole runs of `blocksPerRun` blocks, then the rest (`lastRunBlocks`).
    var parts: Int { blocks <= Self.blocksPerRun ? 1 : (blocks - lastRunBlocks) / Self.blocksPerRun + 1 }
    /// Blocks of the last run: the rest after whole runs, or a whole run and
    /// one more where that one block would be a run alone whose pixels,
    /// moved back to end with the output, lie partly in the run before: a
    /// worker must never write pixels that another worker's run writes.
    private var lastRunBlocks: Int {
        let perRun = Self.blocksPerRun
        guard blocks > perRun else { return blocks }
        let rest = blocks % perRun
        if rest == 0 { return perRun }
        return rest == 1 && pixels % Self.blockPixels != 0 ? perRun + 1 : rest
    }

    /// Whether output pixel i reads input pixel i (a 1x1 kernel of stride 1, as wide): its input offset is i · channels.
    private var readsInOrder: Bool {
        kernel.height == 1 && kernel.width == 1 && strides.height == 1 && strides.width == 1 && inputWidth == outputWidth
    }

    /// A vector in the output's pattern (lane p·slots + f holds filter f) of
    /// `value(f)`, zero in a slot past the filters.
    private func outputPattern(_ value: (Int) -> String) -> String {
        "\(vector)(" + (0..<lanes).map { $0 % slots < filters ? value($0 % slots) : "0" }.joined(separator: ", ") + ")"
    }

    func emit(into out: inout SourceWriter) {
        let perBlock = Self.blockPixels, perRun = Self.blocksPerRun
        let inputVector = VectorTypes.name(chunk)
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>\(epilogue?.parameter ?? ""), _ parts: Range<Int> = 0..<\(parts))") { out in
            out.line("let chunked = \(Index(chunkedOffset).offsetting("w")), bias = \(Index(packed.biasOffset).offsetting("w"))")
            out.line("// Each filter's bias (and the fused steps' scale and shift) in the lanes of its outputs.")
            out.line("let biases = \(outputPattern { "bias[\($0)]" })")
            if epilogue?.scaleShift == true {
                out.line("let scales = \(outputPattern { "post[\($0)]" }), shifts = \(outputPattern { "post[\(filters + $0)]" })")
            }
            if turns {
                out.line("// A vector of 16 channels turned within each group of \(slots): lane g·\(slots) + s gets channel g·\(slots) + (s XOR t).")
                for turn in 1..<slots {
                    let lanesOf = (0..<lanes).map { lane in "v[\(lane ^ turn)]" }
                    out.line("@inline(__always) func turned\(turn)(_ v: \(vector)) -> \(vector) { \(vector)(\(lanesOf.joined(separator: ", "))) }")
                }
            } else if slots > 1 {
                out.line("// A pixel's \(chunk) channels of a chunk, once for each of \(slots) filters.")
                // Halves joined (LLVM makes one broadcast load of them), not lanes listed one by one.
                var (value, width, steps) = ("v", chunk, [String]())
                while width < lanes {
                    steps.append("let v\(2 * width) = \(VectorTypes.name(2 * width))(lowHalf: \(value), highHalf: \(value))")
                    (value, width) = ("v\(2 * width)", 2 * width)
                }
                out.line("@inline(__always) func repeated(_ v: \(inputVector)) -> \(vector) { \(steps.joined(separator: "; ")); return \(value) }")
            }
            if turns {
                emitHalfSums(into: &out)
            } else {
                out.line("// Two vectors' neighbouring lanes added: half as many partial sums of each, the first's then the second's.")
                // Lanes listed, not the standard library's evenHalf and oddHalf: those are generic
                // functions that LLVM left as calls in a model split into two files (`GeneratedFiles`),
                // which made inception_cifar's 4-filter layer 2.6x slower on a Zen 5.
                let lanesOf = { (parity: Int) in (["a", "b"].flatMap { v in stride(from: parity, to: lanes, by: 2).map { "\(v)[\($0)]" } }).joined(separator: ", ") }
                out.line("@inline(__always) func pairSums(_ a: \(vector), _ b: \(vector)) -> \(vector) { \(vector)(\(lanesOf(0))) + \(vector)(\(lanesOf(1))) }")
            }
            /// `for run in parts`, its count of blocks, and `body` for each block's `b` and first pixel `p0`.
            func eachBlockOfTheRuns(_ out: inout SourceWriter, _ body: (inout SourceWriter) -> Void) {
                out.block("for run in parts") { out in
                    let everyRunAlike = parts == 1 || lastRunBlocks == perRun
                    out.line("let blocks = " + (everyRunAlike ? "\(lastRunBlocks)" : "run == \(parts - 1) ? \(lastRunBlocks) : \(perRun)"))
                    out.line("// \(perBlock) pixels a block; the last block ends with the output (overlapping the one before, to the same bits).")
                    body(&out)
                }
            }
            func firstPixel(_ out: inout SourceWriter) {
                out.line("let p0 = Swift.min((run * \(perRun) + b) * \(perBlock), \(pixels - perBlock))")
            }
            guard !turns else {
                // Turned chunks' sums across lanes follow their multiply-adds in registers: the
                // scratch's stores and loads were a seventh of the layer (Zen 5, 363 against 312 ns).
                eachBlockOfTheRuns(&out) { out in
                    out.block("for b in 0..<blocks") { out in
                        firstPixel(&out)
                        emitProducts(into: &out)
                        emitSumsAcrossLanes(of: (0..<perBlock).map { "s\($0) + t\($0)" }, into: &out)
                    }
                }
                return
            }
            out.temporaryAllocation(of: "Float", capacity: Swift.max(perRun, lastRunBlocks) * perBlock * lanes, named: "scratch") { out in
                out.line("let sums = scratch.baseAddress!")
                eachBlockOfTheRuns(&out) { out in
                    out.block("for b in 0..<blocks") { out in
                        firstPixel(&out)
                        emitProducts(into: &out)
                    }
                    out.block("for b in 0..<blocks") { out in
                        firstPixel(&out)
                        out.line("let sp = UnsafePointer(sums + b * \(perBlock * lanes))")
                        emitSumsAcrossLanes(of: (0..<perBlock).map { "sp.\(VectorTypes.load(vector))(at: \($0 * lanes))" }, into: &out)
                    }
                }
            }
        }
    }

    /// `halfSums1`, `halfSums2`, …: level L of the sums across lanes of
    /// turned chunks, whose vectors hold 2^(L−1) pixels' groups of filter
    /// sums each: every pixel's first half of groups plus its second half,
    /// the first vector's pixels then the second's. After the last level a
    /// vector holds its pixels' filters in the output's order.
    private func emitHalfSums(into out: inout SourceWriter) {
        out.line("// Each pixel's first half of groups of filter sums plus its second half, the first vector's pixels then the second's.")
        var (level, segment) = (1, lanes)
        while segment > slots {
            let half = segment / 2
            func lanesOf(_ start: Int) -> String {
                ["a", "b"].flatMap { v in
                    stride(from: 0, to: lanes, by: segment).flatMap { pixel in (0..<half).map { "\(v)[\(pixel + start + $0)]" } }
                }.joined(separator: ", ")
            }
            out.line("@inline(__always) func halfSums\(level)(_ a: \(vector), _ b: \(vector)) -> \(vector) { \(vector)(\(lanesOf(0))) + \(vector)(\(lanesOf(half))) }")
            (level, segment) = (level + 1, half)
        }
    }

    /// The block's multiply-adds, from zero, over every chunk; its vectors of
    /// sums to the scratch, or for turned chunks left in registers for the
    /// sums across lanes (`s0 + t0`).
    private func emitProducts(into out: inout SourceWriter) {
        let perBlock = Self.blockPixels
        if readsInOrder {
            out.line("let xp = x + p0 * \(inputChannels)")
        } else {
            let rowStride = strides.height * inputWidth * inputChannels, pixelStride = strides.width * inputChannels
            out.line("let " + (0..<perBlock).map { p in "a\(p) = flatOffset(p0\(p == 0 ? "" : " + \(p)"), \(outputWidth), \(rowStride), \(pixelStride))" }.joined(separator: ", "))
        }
        func pixel(_ p: Int) -> Index { readsInOrder ? Index(p * inputChannels) : Index("a\(p)") }
        out.line("var " + (0..<perBlock).map { turns ? "s\($0) = \(vector)(), t\($0) = \(vector)()" : "s\($0) = \(vector)()" }.joined(separator: ", "))
        // A step is a chunk, or for turned chunks a whole vector of channels.
        let channelsPerStep = turns ? lanes : chunk
        // The taps (constant trip counts, unrolled by the optimizer), each a 1x1 convolution of the input moved by it.
        out.loops([("ky", kernel.height), ("kx", kernel.width)]) { out, tap in
            let (ky, kx) = (tap[0], tap[1])
            let taps = kernel.height * kernel.width
            let base = readsInOrder ? "xp" : "xt"
            if !readsInOrder {
                out.line("let xt = \((ky * (dilation.height * inputWidth * inputChannels) + kx * (dilation.width * inputChannels)).offsetting("x"))")
            }
            out.line("let wt = \((taps == 1 ? Index(0) : (ky * kernel.width + kx) * (inputChannels * slots)).offsetting("chunked"))")
            out.loop("ci", count: inputChannels / channelsPerStep) { out, ci in
                let loads = (0..<perBlock).map { "\(base).\(VectorTypes.load(VectorTypes.name(channelsPerStep)))(at: \(pixel($0) + ci * channelsPerStep))" }
                if turns {
                    emitTurns(step: ci, pixelLoads: loads, into: &out)
                } else {
                    out.line("let wv = wt.\(VectorTypes.load(vector))(at: \(ci * lanes))")
                    for (p, load) in loads.enumerated() {
                        out.line("s\(p) = madd(s\(p), \(slots > 1 ? "repeated(\(load))" : load), wv)")
                    }
                }
            }
        }
        guard !turns else { return }
        out.line("let sp = sums + b * \(perBlock * lanes)")
        out.line((0..<perBlock).map { "sp.store(s\($0), at: \($0 * lanes))" }.joined(separator: "; "))
    }

    /// One vector of channels of turned chunks: each turn's weights (loaded
    /// once a block), then each pixel's vector, as loaded and turned, into
    /// two sums a pixel (even and odd turns, `s0` and `t0`): 16 chains of
    /// multiply-adds for two units of 4 cycles and a chunk's 4 turns.
    private func emitTurns(step ci: Index, pixelLoads: [String], into out: inout SourceWriter) {
        out.line("let " + (0..<slots).map { "w\($0) = wt.\(VectorTypes.load(vector))(at: \((ci * slots + $0) * lanes))" }.joined(separator: ", "))
        for (p, load) in pixelLoads.enumerated() {
            let products = (0..<slots).map { turn in
                let sum = turn % 2 == 0 ? "s\(p)" : "t\(p)"
                return "\(sum) = madd(\(sum), \(turn == 0 ? "v" : "turned\(turn)(v)"), w\(turn))"
            }
            out.line("do { let v = \(load); \(products.joined(separator: "; ")) }")
        }
    }

    /// The block's sums (`blockSums`: read back from the scratch, or a turned
    /// block's registers) added across lanes, pairs of pixels at a time, to
    /// vectors of `chunk` pixels' outputs; bias, ReLU and the fused steps; the stores.
    private func emitSumsAcrossLanes(of blockSums: [String], into out: inout SourceWriter) {
        let perBlock = Self.blockPixels
        out.line("let yp = y + p0 * \(filters)")
        var names = blockSums
        var level = 0
        while names.count > perBlock / chunk {
            level += 1
            let sums = turns ? "halfSums\(level)" : "pairSums"
            let pairs = (0..<(names.count / 2)).map { "t\(level)_\($0) = \(sums)(\(names[2 * $0]), \(names[2 * $0 + 1]))" }
            out.line("let " + pairs.joined(separator: ", "))
            names = (0..<(names.count / 2)).map { "t\(level)_\($0)" }
        }
        for (q, sum) in names.enumerated() {
            out.line("let o\(q) = \(sum) + biases")
            var value = "o\(q)"
            if fusedReLU {
                out.line("let r\(q) = zeroingNegatives(o\(q))")
                value = "r\(q)"
            }
            if let epilogue {
                value = epilogue.apply(to: value, name: "e\(q)", vector: vector, lanes: lanes, patterns: ("scales", "shifts"), into: &out)
            }
            let first = q * chunk * filters
            if slots == filters {
                out.line("yp.store(\(value), at: \(first))")
            } else {
                // 3 filters in 4 slots (5-7 in 8): each pixel's first lanes.
                out.line("do { let v = \(value); " + (0..<chunk).flatMap { p in
                    (0..<filters).map { f in "yp[\(first + p * filters + f)] = v[\(p * slots + f)]" }
                }.joined(separator: "; ") + " }")
            }
        }
    }
}
