/// Emits a Conv2D on a one-channel input with few filters (a first layer on
/// grey images, such as LeNet-5's 6 filters) with a row of output, pixels and
/// their filters as Keras lays them out, in SIMD lanes: lane j of a vector
/// starting at float f of the row holds pixel (f + j) / filters and filter
/// (f + j) % filters. With channels alone in lanes such a layer wastes lanes
/// (6 of 8) and broadcasts one input per pixel and tap; with pixels alone in
/// lanes (this emitter's first form) each vector of sums ended in one scalar
/// store per lane, and a row of 28 split badly into vectors of 16.
///
/// A vector of outputs reads the few input pixels under its lanes, each
/// repeated once per filter: the kernel loads those pixels (a vector of 2, 4,
/// 8 or 16) and spreads them across the lanes with one constant shuffle
/// (`spread<phase>`, a `vpermps`), so every tap is one load, one shuffle and
/// one multiply-add per vector (a load for two rows' multiply-adds where a
/// block holds two: `rowsPerBlock`), against a pattern of weights that
/// depends only on where the vector starts among the filters (its phase),
/// packed for every phase by `WeightPacking.phasedLanes` (where a vector is
/// exactly one pixel's filters, it broadcasts the input pixel instead:
/// `broadcasts`). The kernel once wrote its input rows out with each pixel
/// repeated, and loaded those: the pass of stores was 18% of LeNet-5's first
/// layer (Zen 4, 3.0–3.1 µs against 2.5–2.6 with the shuffles). It reads a
/// copy of its input rows, with zeros after them: a load of pixels may reach
/// a few floats past the last pixel a vector needs, and past `x`'s end on
/// its last row. The last vector of a row overlaps the one
/// before when the row is not a whole number of vectors (overlapped outputs
/// are computed twice, to the same bits).
struct PixelLaneConvolutionEmitter: Codable, Hashable {
    var function: String
    var inputWidth: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    /// Where the weight patterns start (`WeightPlan.PackedKernel.phasedOffset`).
    var phasedOffset: Int
    var fusedReLU: Bool
    var target: TargetCPU
    /// The layers after it that run in its store at inference (`EpilogueFusion`):
    /// their per-channel scale and shift as patterns per phase, like the weights.
    var epilogue: StoreEpilogue? = nil

    /// Whether this layout suits the layer: one input channel, neighbouring
    /// output pixels neighbours in the input (stride 1 across), at most 8
    /// filters (beyond, channels fill whole vectors), a row of at least 8.
    static func suits(inputChannels: Int, strides: Size2D, outputs: Int, outputWidth: Int) -> Bool {
        inputChannels == 1 && strides.width == 1 && outputs <= 8 && outputWidth >= 8
    }

    /// Floats a packed pattern takes: 16, whatever the vectors, so one packing
    /// serves every target (vectors of 8 read the first half).
    static let patternStride = 16

    /// One register's floats, as long as a row of output fills one such vector.
    var lanes: Int { target.registerLanes == 16 && rowFloats >= 16 ? 16 : 8 }
    /// The file-level name of this kernel's vectors (`V8`).
    var vector: String { VectorTypes.name(lanes) }
    /// Rows of output (blocks of `stationaryRows` of them, where those run):
    /// a call can be limited to a range of them (see `ConvolutionEmitter.parts`).
    var parts: Int { outputHeight / (stationaryRows ?? 1) }

    private var filters: Int { packed.outputs }
    /// Whether a vector is one pixel's filters (8 filters on AVX2): its inputs
    /// are then one broadcast of the input pixel, read straight from `x`
    /// (mini_resnet's stem, 28x28 to 8 filters, had spent a quarter of its
    /// time writing its input rows out repeated, before any shuffles).
    private var broadcasts: Bool { filters == lanes }
    private var rowFloats: Int { outputWidth * filters }
    /// The phases (first filters) the row's vectors start at, in order.
    private var phases: [Int] { Set(vectorStarts.map { $0 % filters }).sorted() }

    /// Input pixels a vector of phase `phase` reads: lane j holds pixel
    /// (phase + j) / filters, counted from the vector's first.
    private func pixels(phase: Int) -> Int { (phase + lanes - 1) / filters + 1 }
    /// The width of the load that reads them (`VectorTypes.widths`).
    private func loadWidth(phase: Int) -> Int { VectorTypes.widths.first { $0 >= pixels(phase: phase) } ?? lanes }
    /// Floats after the copied rows that a load may read: zeros.
    private var slack: Int { phases.map { loadWidth(phase: $0) }.max() ?? lanes }

    /// `spread<phase>(row.load4(at: offset))`: the vector of phase `phase`
    /// whose first pixel is `offset` floats past `row`.
    private func spreadLoad(_ row: String, at offset: String, phase: Int) -> String {
        let load = "\(row).\(VectorTypes.load(VectorTypes.name(loadWidth(phase: phase))))(at: \(offset))"
        return filters == 1 ? load : "spread\(phase)(\(load))"
    }

    /// `func spread2(_ v: V4) -> V16 { V16(v[0], v[0], …) }` for each phase
    /// the kernel's vectors start at: the constant shuffle LLVM makes one
    /// `vpermps` of (its indices held in a register).
    private func writeSpreads(into out: inout SourceWriter) {
        guard filters > 1 else { return }
        for phase in phases {
            let lanesFrom = (0..<lanes).map { "v[\((phase + $0) / filters)]" }.joined(separator: ", ")
            out.line("@inline(__always) func spread\(phase)(_ v: \(VectorTypes.name(loadWidth(phase: phase)))) -> \(vector) { \(vector)(\(lanesFrom)) }")
        }
    }

    /// Where each vector of a row of output starts: every `lanes` floats, the
    /// last one moved back to end with the row.
    private var vectorStarts: [Int] {
        let count = (rowFloats + lanes - 1) / lanes
        return (0..<count).map { Swift.min($0 * lanes, rowFloats - lanes) }
    }

    /// Rows of output whose input rows fit the scratch's budget at once
    /// (32 KB: no more than an L1 data cache, and small for a stack); at
    /// least one.
    private var chunkRows: Int {
        let budgetRows = (32 << 10) / MemoryLayout<Float>.size / inputWidth
        let lastTapRow = (kernel.height - 1) * dilation.height
        return Swift.max(1, (budgetRows - lastTapRow - 1) / strides.height + 1)
    }

    /// Floats of scratch: the input rows of `chunkRows` rows of output, and
    /// the zeros after them (`slack`).
    private var scratchCount: Int {
        let chunk = Swift.min(chunkRows, outputHeight)
        return ((chunk - 1) * strides.height + (kernel.height - 1) * dilation.height + 1) * inputWidth + slack
    }

    /// The vectors of a row in near-equal blocks, each block's sums and
    /// weight patterns held in registers together, with each phase's shuffle
    /// (one left for loads).
    private var blocks: [ArraySlice<Int>] {
        let starts = vectorStarts
        let phases = self.phases.count
        let perBlock = Swift.max(1, target.vectorRegisters - (broadcasts ? 1 : 2) * phases - 1)
        let count = (starts.count + perBlock - 1) / perBlock
        return (0..<count).map { block in
            starts[(block * starts.count / count)..<((block + 1) * starts.count / count)]
        }
    }

    /// Rows of output a block computes together: two where the registers
    /// hold both rows' sums and both rows' weight patterns, so that each
    /// input vector a tap loads serves both rows (through different taps).
    /// Loads, not multiply-adds, bound this kernel: LeNet-5's first layer
    /// made 11 multiply-adds a tap against 11 input loads (most across two
    /// cache lines, the pixels being 6 floats apart) and 3 patterns, and ran
    /// at 55 GFLOP/s on Zen 4, whose 64-byte loads go one a cycle.
    private var rowsPerBlock: Int {
        let vectors = blocks.map(\.count).max() ?? 1
        let phases = self.phases.count
        // The second row reads some input row of the first's only if the stride is a whole number of tap rows.
        let sharesInputRows = strides.height % dilation.height == 0 && strides.height / dilation.height < kernel.height
        let shuffles = broadcasts ? 0 : phases
        return outputHeight >= 2 && sharesInputRows && 2 * (vectors + phases) + shuffles + 1 <= target.vectorRegisters ? 2 : 1
    }

    /// Rows of output a block computes together where the kernel runs one
    /// phase at a time, a column of vectors down the rows, each input vector
    /// it loads serving every row of the block whose taps read it, against
    /// patterns held in registers: every tap's of the phase where they fit
    /// beside 3 rows' sums (AVX-512's 32 registers, up to 5x5 taps), loaded
    /// once a phase; else one column of taps' at a time (`holdsEveryTap`).
    /// Of 3 to 8, up to what the registers leave (the patterns, the bias, an
    /// input vector and its shuffle), the largest that divides the rows, so
    /// that every block is whole (a call's range counts blocks: `parts`), for
    /// an input whose rows fit the scratch at once; where none of those
    /// divides them, the smallest larger one that does and fits. More than 8
    /// rows a block ran slower where 8 or 7 divide (unet's first layer, 16
    /// rows of 3x3 taps, 461–486 ns in blocks of 8 and 616–639 in one of 16;
    /// mini_resnet's stem 1.33–1.35 µs in blocks of 7, 1.39–1.52 in 14), but
    /// faster than pairs of rows where none does (two_heads' first layer, 26
    /// rows: 1.29–1.43 µs in pairs, 1.03–1.12 in blocks of 13, Zen 4). LeNet-5's first layer (25 taps, 4 rows) went from 3.0 to 2.7 µs
    /// alone (from 0.87 loads a multiply-add, most across two cache lines,
    /// to 0.4) and from 4.6 to 3.8 µs with its tanh in the model on Zen 4;
    /// with AVX2's shapes (5 patterns, 7 rows) from 6.1 to 4.1 µs on the same
    /// machine. Nil where `rowsPerBlock`'s blocks run instead.
    ///
    /// On a core whose FMA units are 512 bits wide (`TargetCPU.hasFullWidthFMA`)
    /// a block's rows are its chains of multiply-adds, and two units of 4
    /// cycles need 8 in flight: up to 14 rows, and a 5x5 kernel's patterns
    /// one column at a time rather than all 25 beside 4 rows' sums. LeNet-5's
    /// first layer went from 1.35 to 1.28 µs a call in blocks of 7 and to
    /// 1.17 in blocks of 14 (a scratch program, Zen 5).
    ///
    /// Not the fused epilogue's registers (a BatchNormalization's scale and
    /// shift, read only at the stores): the fused copy of a kernel must
    /// choose the blocks its unfused one does, whose `parts` the split
    /// across workers was planned by.
    var stationaryRows: Int? {
        let sharesInputRows = strides.height % dilation.height == 0 && strides.height / dilation.height < kernel.height
        let held = holdsEveryTap ? kernel.height * kernel.width : kernel.height
        let most = Swift.min(outputHeight, target.vectorRegisters - held - 3)
        guard !broadcasts, sharesInputRows, chunkRows >= outputHeight, most >= 3 else { return nil }
        return (3...Swift.min(target.hasFullWidthFMA ? 14 : 8, most)).last { outputHeight % $0 == 0 }
            ?? (most > 8 ? (9...most).first { outputHeight % $0 == 0 } : nil)
    }

    /// Whether a stationary block holds every tap's pattern of its phase
    /// (beside at least 3 rows' sums, 7 on full-width FMA units, the bias, an
    /// input vector and its shuffle), rather than one column's at a time.
    var holdsEveryTap: Bool { target.vectorRegisters - kernel.height * kernel.width - 3 >= (target.hasFullWidthFMA ? 7 : 3) }

    func emit(into out: inout SourceWriter) {
        let taps = kernel.height * kernel.width
        let stride = Self.patternStride
        let (rowStep, lastTapRow) = (strides.height, (kernel.height - 1) * dilation.height)
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>\(epilogue?.parameter ?? ""), _ parts: Range<Int> = 0..<\(parts))") { out in
            out.line("guard !parts.isEmpty else { return }")
            out.line("let patterns = \(Index(phasedOffset).offsetting("w")), biases = \(Index(phasedOffset + taps * filters * stride).offsetting("w"))")
            if epilogue?.scaleShift == true {
                // Lane j of a vector of phase p holds filter (p + j) % filters.
                out.line("// The BatchNormalization's scale and shift for each phase's lanes.")
                for phase in phases {
                    out.line("var scale\(phase) = \(vector)(), shift\(phase) = \(vector)()")
                    out.line("for lane in 0..<\(lanes) { scale\(phase)[lane] = post[(\(phase) + lane) % \(filters)]; shift\(phase)[lane] = post[\(filters) + (\(phase) + lane) % \(filters)] }")
                }
            }
            if broadcasts {
                eachRowBlock(in: "parts", into: &out) { out, rows in
                    out.line("let row = x + oy * \(rowStep * inputWidth)")
                    out.line("let yp = y + oy * \(rowFloats)")
                    for block in blocks { emitBlock(Array(block), rows: rows, into: &out) }
                }
                return
            }
            writeSpreads(into: &out)
            out.line("// The input rows these output rows read, and zeros after them that loads of pixels may reach\(chunkRows < outputHeight ? "; \(chunkRows) rows of output at a time" : "").")
            out.temporaryAllocation(of: "Float", capacity: scratchCount, named: "buffer") { out in
                out.line("let copied = buffer.baseAddress!")
                func rows(_ out: inout SourceWriter, first: String, end: String) {
                    out.line("let firstRow = \(first)\(rowStep == 1 ? "" : " * \(rowStep)")")
                    out.line("let rows = (\(end) - 1)\(rowStep == 1 ? "" : " * \(rowStep)") + \(lastTapRow + 1) - firstRow")
                    out.line("copied.update(from: x + firstRow * \(inputWidth), count: rows * \(inputWidth))")
                    out.line("(copied + rows * \(inputWidth)).update(repeating: 0, count: \(slack))")
                }
                if let blockRows = stationaryRows {
                    rows(&out, first: "parts.lowerBound * \(blockRows)", end: "parts.upperBound * \(blockRows)")
                    return emitStationary(blockRows, into: &out)
                }
                func outputRows(_ out: inout SourceWriter, _ range: String) {
                    eachRowBlock(in: range, into: &out) { out, rows in
                        out.line("let row = copied + (oy\(rowStep == 1 ? "" : " * \(rowStep)") - firstRow) * \(inputWidth)")
                        out.line("let yp = y + oy * \(rowFloats)")
                        for block in blocks {
                            emitBlock(Array(block), rows: rows, into: &out)
                        }
                    }
                }
                if chunkRows >= outputHeight {
                    rows(&out, first: "parts.lowerBound", end: "parts.upperBound")
                    outputRows(&out, "parts")
                } else {
                    out.line("var chunk = parts.lowerBound")
                    out.block("while chunk < parts.upperBound") { out in
                        out.line("let end = Swift.min(chunk + \(chunkRows), parts.upperBound)")
                        rows(&out, first: "chunk", end: "end")
                        outputRows(&out, "chunk..<end")
                        out.line("chunk = end")
                    }
                }
            }
        }
    }

    /// The blocks of `rows` output rows of `parts` one phase at a time
    /// (`stationaryRows`): the phase's patterns loaded once, then for each of
    /// its vectors of a row, the blocks down the range.
    private func emitStationary(_ rows: Int, into out: inout SourceWriter) {
        let stride = Self.patternStride, taps = kernel.height * kernel.width
        let rowStep = strides.height
        var byPhase: [Int: [Int]] = [:]
        for start in vectorStarts { byPhase[start % filters, default: []].append(start) }
        for phase in byPhase.keys.sorted() {
            out.block("do") { out in
                if holdsEveryTap {
                    for ky in 0..<kernel.height { out.line(patternLoads(ky: ky, columns: Array(0..<kernel.width), phase: phase)) }
                }
                out.line("let bias = biases.\(VectorTypes.load(vector))(at: \(phase * stride))")
                out.line("// The vectors of a row that start at filter \(phase)" + (holdsEveryTap ? " (of \(taps) taps' patterns held above)." : "."))
                out.block("for start in \(byPhase[phase]!)") { out in
                    out.block("for oy in stride(from: parts.lowerBound * \(rows), to: parts.upperBound * \(rows), by: \(rows))") { out in
                        emitStationaryBlock(rows: rows, phase: phase, rowStep: rowStep, into: &out)
                    }
                }
            }
        }
    }

    /// `rows` rows of one vector from `oy`, as `emitBlock` computes them, against the patterns `p<ky>_<kx>`.
    private func emitStationaryBlock(rows: Int, phase: Int, rowStep: Int, into out: inout SourceWriter) {
        out.line("let row = copied + (oy\(rowStep == 1 ? "" : " * \(rowStep)") - firstRow) * \(inputWidth) + start / \(filters), yp = y + oy * \(rowFloats) + start")
        for r in 0..<rows { out.line("var s\(r) = bias") }
        for kx in 0..<kernel.width {
            if !holdsEveryTap {
                out.line((0..<kernel.height).map { patternLoads(ky: $0, columns: [kx], phase: phase) }.joined(separator: "; "))
            }
            for inputRow in 0...lastInputRow(rows: rows) {
                let readers = readers(of: inputRow, rows: rows)
                guard !readers.isEmpty else { continue }
                out.line("do { let xv = \(spreadLoad("row", at: "\(inputRow * inputWidth + kx * dilation.width)", phase: phase))"
                         + readers.map { "; s\($0.row) = madd(s\($0.row), xv, p\($0.ky)_\(kx))" }.joined() + " }")
            }
        }
        for r in 0..<rows { emitStore("s\(r)", name: "\(r)", phase: phase, at: r * rowFloats, into: &out) }
    }

    /// The store of one vector of sums `sum` of phase `phase`, `offset`
    /// floats past `yp`: ReLU and the fused epilogue (its patterns for that
    /// phase) first.
    private func emitStore(_ sum: String, name: String, phase: Int, at offset: Int, into out: inout SourceWriter) {
        if fusedReLU { out.line("\(sum) = zeroingNegatives(\(sum))") }
        let value = epilogue?.apply(to: sum, name: "e\(name)", vector: vector, lanes: lanes, patterns: ("scale\(phase)", "shift\(phase)"),
                                    into: &out) ?? sum
        out.line("yp.store(\(value), at: \(offset))")
    }

    /// `let p<ky>_<kx> = …` for the patterns of phase `phase` of row `ky` of taps, at `columns`.
    private func patternLoads(ky: Int, columns: [Int], phase: Int) -> String {
        "let " + columns.map { kx in
            "p\(ky)_\(kx) = patterns.\(VectorTypes.load(vector))(at: \(((ky * kernel.width + kx) * filters + phase) * Self.patternStride))"
        }.joined(separator: ", ")
    }

    /// The last input row, from a block's first, that a block of `rows` output rows reads.
    private func lastInputRow(rows: Int) -> Int { (rows - 1) * strides.height + (kernel.height - 1) * dilation.height }

    /// The output rows of a block of `rows` that read input row `inputRow`
    /// (counted from the block's first), and through which row of taps.
    private func readers(of inputRow: Int, rows: Int) -> [(row: Int, ky: Int)] {
        (0..<rows).compactMap { r in
            let offset = inputRow - r * strides.height
            guard offset >= 0, offset % dilation.height == 0, offset / dilation.height < kernel.height else { return nil }
            return (r, offset / dilation.height)
        }
    }

    /// `body(out, rows)` for the output rows of `range` (an expression), with
    /// `oy` their first: in pairs while two remain (`rowsPerBlock`), then one.
    private func eachRowBlock(in range: String, into out: inout SourceWriter, _ body: (inout SourceWriter, Int) -> Void) {
        guard rowsPerBlock == 2 else { return out.block("for oy in \(range)") { out in body(&out, 1) } }
        out.line("let rowRange = \(range)")
        out.block("for oy in stride(from: rowRange.lowerBound, to: rowRange.upperBound - 1, by: 2)") { out in body(&out, 2) }
        out.block("if rowRange.count % 2 == 1") { out in
            out.line("let oy = rowRange.upperBound - 1")
            body(&out, 1)
        }
    }

    /// One block of vectors of `rows` rows of output: sums from the biases,
    /// then for each column of taps the input rows they read, each input
    /// vector loaded once for the output rows whose taps read it, and a
    /// multiply-add per row against that tap's pattern; the stores.
    private func emitBlock(_ starts: [Int], rows: Int, into out: inout SourceWriter) {
        let stride = Self.patternStride
        let phases = Array(Set(starts.map { $0 % filters })).sorted()
        out.block("do") { out in
            for r in 0..<rows {
                for (v, start) in starts.enumerated() {
                    out.line("var s\(r)_\(v) = biases.\(VectorTypes.load(vector))(at: \(start % filters * stride))")
                }
            }
            // Columns of taps outside, rows written out inside: the rows read
            // far apart, where neighbouring columns' reads meet (6 floats on,
            // at 8 a vector) and LLVM kept them in registers that the sums needed.
            out.loop("kx", count: kernel.width) { out, kx in
                for inputRow in 0...lastInputRow(rows: rows) {
                    let readers = readers(of: inputRow, rows: rows)
                    guard !readers.isEmpty else { continue }
                    out.block("do") { out in
                        out.line("let xp = \((inputRow * inputWidth + kx * dilation.width).offsetting("row"))")
                        for (r, ky) in readers {
                            out.line("let wp\(r) = \(((ky * kernel.width + kx) * (filters * stride)).offsetting("patterns"))")
                            for phase in phases {
                                out.line("let w\(r)_\(phase) = wp\(r).\(VectorTypes.load(vector))(at: \(phase * stride))")
                            }
                        }
                        for (v, start) in starts.enumerated() {
                            out.line("let x\(v) = " + (broadcasts ? "\(vector)(repeating: xp[\(start / filters)])" : spreadLoad("xp", at: "\(start / filters)", phase: start % filters)))
                            for (r, _) in readers {
                                out.line("s\(r)_\(v) = madd(s\(r)_\(v), x\(v), w\(r)_\(start % filters))")
                            }
                        }
                    }
                }
            }
            for r in 0..<rows {
                for (v, start) in starts.enumerated() {
                    emitStore("s\(r)_\(v)", name: "\(r)_\(v)", phase: start % filters, at: r * rowFloats + start, into: &out)
                }
            }
        }
    }
}
