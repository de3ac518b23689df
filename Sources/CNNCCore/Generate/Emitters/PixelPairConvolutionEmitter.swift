/// Emits a Conv2D to 5-8 filters for a CPU whose FMA units are 512 bits wide
/// (`TargetCPU.hasFullWidthFMA`) with two neighbouring output pixels' filters
/// in one vector of 16: lane 2f + e holds filter f of the pair's pixel e.
/// With the filters alone in lanes (`ConvolutionEmitter`) such a layer runs
/// in vectors of 8, which take the slot of a vector of 16 on those units:
/// toy_convnet's first layer (5x5 on 3 channels to 8 filters) ran at 107
/// GFLOP/s, 45% of SGEMM, on a Zen 5; in pairs, 4.1-4.4 µs instead of 8.8.
///
/// Each multiply-add reads the two pixels' value of one input channel at
/// one tap as a pair of neighbouring floats, repeated across the filters (a
/// `vbroadcastsd` straight from memory), against that channel's 8 weights
/// each repeated twice (a shuffle of the kernel's own packed row, once a tap
/// and channel for the block's pairs). The pairs come from a copy of the
/// input rows the call reads, in which input pixel c's channels are
/// interleaved with those of pixel c + the stride across, so both pixels of
/// a pair read one place. Built from two broadcasts instead, without the
/// copy, the layer took 11.4 µs. At the store each vector of sums is split
/// into its even and odd lanes: the first pixel's filters, then the
/// second's, the output's own order. A row of odd width ends with a pair
/// that overlaps the one before (its first pixel computed twice, to the same
/// bits).
///
/// The copy costs two moves an input float, so it pays where each input
/// float serves many multiply-adds: at least 4 taps a pixel of stride
/// (`suits`); a 1x1 layer to 8 filters stays in vectors of 8. On one input
/// channel at stride 1 across the pairs are neighbours in the input itself,
/// read in place, with no copy (a first layer on grey images to 8 filters,
/// which the shuffles of `PixelLaneConvolutionEmitter` ran at 61-84% of
/// SGEMM on the Zen 5).
struct PixelPairConvolutionEmitter: Codable, Hashable {
    var function: String
    /// The input's size, padding included: the kernel reads the padded copy
    /// (`PaddingEmitter`), so no tap checks bounds.
    var inputHeight: Int
    var inputWidth: Int
    var inputChannels: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    var fusedReLU: Bool
    /// The layers after it that run in its store at inference (`EpilogueFusion`):
    /// their per-channel scale and shift repeated in the pairs' pattern, like the bias.
    var epilogue: StoreEpilogue? = nil

    static let lanes = 16
    var lanes: Int { Self.lanes }
    /// Rows of output: a call can be limited to a range of them (see `ConvolutionEmitter.parts`).
    var parts: Int { outputHeight }

    /// Whether this layout suits the layer on `target`: FMA units as wide as
    /// 16 floats, 5 to 8 filters (one packed vector of 8), a row of at least
    /// two pixels, and at least 4 taps for each pixel of stride, so that the
    /// multiply-adds outweigh the copy.
    static func suits(target: TargetCPU, outputs: Int, kernel: Size2D, strides: Size2D, outputWidth: Int) -> Bool {
        target.hasFullWidthFMA && (5...8).contains(outputs) && outputWidth >= 2
            && kernel.height * kernel.width >= 4 * strides.height * strides.width
    }

    private var filters: Int { packed.outputs }
    private var vector: String { VectorTypes.name(lanes) }
    /// Pair columns of a copied row: input pixel c with pixel c + the stride across.
    private var pairColumns: Int { inputWidth - strides.width }
    private var pairRowFloats: Int { pairColumns * inputChannels * 2 }
    /// Whether a pair is two neighbouring floats of the input already: one channel, stride 1 across.
    var readsPairsInPlace: Bool { inputChannels == 1 && strides.width == 1 }
    /// Floats between the rows, and between the columns, of what the kernel reads: the copy, or the input.
    private var readRowFloats: Int { readsPairsInPlace ? inputWidth : pairRowFloats }
    private var readColumnFloats: Int { readsPairsInPlace ? 1 : 2 * inputChannels }
    /// Where the pairs of a row start, in output pixels: every second pixel,
    /// the last moved back to end with the row.
    private var pairStarts: [Int] { stride(from: 0, to: outputWidth, by: 2).map { Swift.min($0, outputWidth - 2) } }

    /// The row's pairs in near-equal blocks of at most 14, each block's sums
    /// held in registers with the weights of a tap and an input pair.
    private var blocks: [ArraySlice<Int>] {
        let starts = pairStarts
        let count = (starts.count + 13) / 14
        return (0..<count).map { block in starts[(block * starts.count / count)..<((block + 1) * starts.count / count)] }
    }

    /// Whole rows a block holds where a row has at most half of `bandPairs`
    /// pairs: inception_cifar's 5x5 layer to 8 filters on 16x16 pixels held
    /// a row's 8 pairs, 8 chains of multiply-adds where two 512-bit units of
    /// 4 cycles need 8 in flight, with no slack for a late load. Not where a
    /// sum takes fewer than 32 multiply-adds (taps times channels), whose
    /// block's start and stores outweigh its chains: unet's first layer (3x3
    /// on one channel, pairs read in place) went from 197 to 220 ns in bands;
    /// nor on one channel at all (pairs read in place), whose sums take only
    /// their taps. 1: a block is part of one row.
    var bandRows: Int {
        let pairs = pairStarts.count
        guard pairs * 2 <= Self.bandPairs, !readsPairsInPlace,
              ConvolutionEmitter.sumsFillBands(taps: kernel.height * kernel.width, inputChannels: inputChannels) else { return 1 }
        return Swift.min(outputHeight, Self.bandPairs / pairs)
    }
    /// Pairs a band's block holds at most: its sums, a weight vector and a broadcast in 32 registers, with room to spare.
    static let bandPairs = 24

    /// Rows of output whose input rows, copied in pairs, fit 32 KB (an L1
    /// data cache, and small for a stack) at once; at least one.
    private var chunkRows: Int {
        let budgetRows = (32 << 10) / MemoryLayout<Float>.size / pairRowFloats
        let lastTapRow = (kernel.height - 1) * dilation.height
        return Swift.max(1, (budgetRows - lastTapRow - 1) / strides.height + 1)
    }

    /// Floats of scratch: the copied rows of `chunkRows` rows of output.
    private var scratchCount: Int {
        let chunk = Swift.min(chunkRows, outputHeight)
        return ((chunk - 1) * strides.height + (kernel.height - 1) * dilation.height + 1) * pairRowFloats
    }

    /// A vector in the pairs' pattern (lane 2f + e holds filter f) of
    /// `value(f)`, zero in a lane past the filters.
    private func pairPattern(_ value: (Int) -> String) -> String {
        "\(vector)(" + (0..<lanes).map { $0 / 2 < filters ? value($0 / 2) : "0" }.joined(separator: ", ") + ")"
    }

    func emit(into out: inout SourceWriter) {
        let (rowStep, lastTapRow) = (strides.height, (kernel.height - 1) * dilation.height)
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>\(epilogue?.parameter ?? ""), _ parts: Range<Int> = 0..<\(parts))") { out in
            out.line("guard !parts.isEmpty else { return }")
            out.line(packed.namedParts(biasUsed: true))
            out.line("// Each filter's bias (and the fused steps' scale and shift) in the lanes of both pixels.")
            out.line("let biases = \(pairPattern { "bias[\($0)]" })")
            if epilogue?.scaleShift == true {
                out.line("let scales = \(pairPattern { "post[\($0)]" }), shifts = \(pairPattern { "post[\(filters + $0)]" })")
            }
            out.line("// A pair of neighbouring floats, once for each of 8 filters (LLVM makes one broadcast load of it).")
            out.line("@inline(__always) func repeated(_ v: V2) -> V16 { let v4 = V4(lowHalf: v, highHalf: v); let v8 = V8(lowHalf: v4, highHalf: v4); return V16(lowHalf: v8, highHalf: v8) }")
            out.line("// A vector of sums in the output's order: its even lanes (the first pixel's filters), then its odd ones.")
            // Lanes listed, not evenHalf and oddHalf (see `ChunkLaneConvolutionEmitter`'s pairSums).
            out.line("@inline(__always) func inOutputOrder(_ v: V16) -> V16 { V16(\((0..<lanes).map { "v[\($0 < 8 ? 2 * $0 : 2 * ($0 - 8) + 1)]" }.joined(separator: ", "))) }")
            out.line("// A tap's 8 weights of one channel, each twice: the pattern of a pair's lanes.")
            out.line("@inline(__always) func doubled(_ v: V8) -> V16 { V16(\((0..<lanes).map { "v[\($0 / 2)]" }.joined(separator: ", "))) }")
            if readsPairsInPlace {
                out.line("// One channel: pixel c and pixel c + 1 are neighbours in the input, read in place.")
                emitRows(from: "parts.lowerBound", to: "parts.upperBound", into: &out) { out in
                    out.line("let row = \((Index("oy") * (rowStep * inputWidth)).offsetting("x"))")
                }
                return
            }
            out.line("// The input rows these output rows read, pixel c's channels interleaved with pixel c + \(strides.width)'s\(chunkRows < outputHeight ? "; \(chunkRows) rows of output at a time" : "").")
            out.temporaryAllocation(of: "Float", capacity: scratchCount, named: "buffer") { out in
                out.line("let pairs = buffer.baseAddress!")
                out.block("for first in stride(from: parts.lowerBound, to: parts.upperBound, by: \(chunkRows))") { out in
                    out.line("let last = Swift.min(first + \(chunkRows), parts.upperBound)")
                    out.line("let firstRow = first\(rowStep == 1 ? "" : " * \(rowStep)")")
                    out.line("let rows = (last - 1)\(rowStep == 1 ? "" : " * \(rowStep)") + \(lastTapRow + 1) - firstRow")
                    emitCopy(into: &out)
                    emitRows(from: "first", to: "last", into: &out) { out in
                        out.line("let row = pairs + (oy\(rowStep == 1 ? "" : " * \(rowStep)") - firstRow) * \(pairRowFloats)")
                    }
                }
            }
        }
    }

    /// Output rows `from..<to` (expressions): in bands of `bandRows`, one block
    /// each, then the rows that make no whole band; `row` declares where row `oy` reads.
    private func emitRows(from: String, to: String, into out: inout SourceWriter, row: (inout SourceWriter) -> Void) {
        func rows(_ loop: String, band: Int) {
            out.block(loop) { out in
                row(&out)
                out.line("let yp = y + oy * \(outputWidth * filters)")
                if band > 1 {
                    emitBlock(pairStarts, rows: band, into: &out)
                } else {
                    for block in blocks { emitBlock(Array(block), into: &out) }
                }
            }
        }
        let band = bandRows
        guard band > 1 else { return rows("for oy in \(from)..<\(to)", band: 1) }
        rows("for oy in stride(from: \(from), to: \(to) - \(band - 1), by: \(band))", band: band)
        rows("for oy in (\(from) + (\(to) - \(from)) / \(band) * \(band))..<\(to)", band: 1)
    }

    /// The copy of input rows `firstRow..<firstRow + rows` in pairs.
    private func emitCopy(into out: inout SourceWriter) {
        let channels = inputChannels
        out.block("for r in 0..<rows") { out in
            out.line("let source = x + (firstRow + r) * \(inputWidth * channels), target = pairs + r * \(pairRowFloats)")
            out.block("for c in 0..<\(pairColumns)") { out in
                out.line("let a = source + c * \(channels), b = a + \(strides.width * channels), t = target + c * \(2 * channels)")
                out.line("for ci in 0..<\(channels) { t[2 * ci] = a[ci]; t[2 * ci + 1] = b[ci] }")
            }
        }
    }

    /// One block of pairs of a row: the multiply-adds over every tap and
    /// channel from the bias, then the ReLU, the fused steps and the stores.
    private func emitBlock(_ columns: [Int], rows: Int = 1, into out: inout SourceWriter) {
        // Each pair's row of the band and first pixel.
        let pairs = (0..<rows).flatMap { r in columns.map { (row: r, start: $0) } }
        out.block("do") { out in
            out.line("var " + pairs.indices.map { "s\($0) = biases" }.joined(separator: ", "))
            let channels = inputChannels
            out.loops([("ky", kernel.height), ("kx", kernel.width)]) { out, tap in
                let (ky, kx) = (tap[0], tap[1])
                out.line("let xt = \((ky * (dilation.height * readRowFloats) + kx * (dilation.width * readColumnFloats)).offsetting("row"))")
                out.line("let wt = \(((ky * kernel.width + kx) * (channels * packed.rowStride)).offsetting("kernel"))")
                out.loop("ci", count: channels) { out, ci in
                    out.line("let wv = doubled(wt.load8(at: \(ci * packed.rowStride)))")
                    for (j, pair) in pairs.enumerated() {
                        let read = pair.row * strides.height * readRowFloats + ci * 2 + pair.start * strides.width * readColumnFloats
                        out.line("s\(j) = madd(s\(j), repeated(xt.load2(at: \(read))), wv)")
                    }
                }
            }
            for (j, pair) in pairs.enumerated() {
                let start = pair.row * outputWidth + pair.start
                var value = "s\(j)"
                if fusedReLU {
                    out.line("let r\(j) = zeroingNegatives(s\(j))")
                    value = "r\(j)"
                }
                if let epilogue {
                    value = epilogue.apply(to: value, name: "e\(j)", vector: vector, lanes: lanes, patterns: ("scales", "shifts"), into: &out)
                }
                if filters == 8 {
                    out.line("yp.store(inOutputOrder(\(value)), at: \(start * filters))")
                } else {
                    out.line("do { let v = \(value); " + (0..<2).flatMap { e in
                        (0..<filters).map { f in "yp[\((start + e) * filters + f)] = v[\(2 * f + e)]" }
                    }.joined(separator: "; ") + " }")
                }
            }
        }
    }
}
