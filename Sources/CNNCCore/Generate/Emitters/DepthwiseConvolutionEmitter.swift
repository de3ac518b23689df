/// Emits DepthwiseConv2D as specialized Swift. Each output channel reads one
/// input channel, so there is no sum over channels: a depthwise layer does a
/// kernel window's multiply-adds per output value and is bound by memory, not
/// by arithmetic. With one filter per channel (`depth_multiplier` 1, what
/// MobileNet and EfficientNet use) channels sit in SIMD lanes: a block of
/// neighbouring output pixels shares each kernel row's weight vectors and
/// each input vector it loads, read straight from the (already padded) input.
/// Bias and ReLU are fused into the store, as in `ConvolutionEmitter`.
/// Other multipliers take a scalar loop with constant bounds.
///
/// With `padding` (`same` padding, multiplier 1) the kernel reads the
/// unpadded input and leaves out the taps that would read the zeros around
/// it, so the layer needs no padded copy of its input: those copies were 9%
/// of MobileNetV2's time; SeparableConv2D's depthwise step (NASNet's 5x5 and
/// 7x7, Xception's) does the same. Every row runs the same code: at the top
/// and bottom its kernel rows are a shorter range, and the blocks of pixels
/// at the left and right edges are written out with the taps they have.
struct DepthwiseConvolutionEmitter: Codable, Hashable {
    var function: String
    /// The input the kernel reads: padded already, or with `padding` around it left to the kernel.
    var inputHeight: Int
    var inputWidth: Int
    var inputChannels: Int
    var depthMultiplier: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    /// Packed as a kernel of one row per tap (see `WeightPlan`).
    var packed: WeightPlan.PackedKernel
    var fusedReLU: Bool
    /// The layers after it that run in its store at inference (`EpilogueFusion`).
    var epilogue: StoreEpilogue? = nil
    /// The zeros around the input that the kernel leaves out itself (multiplier 1 only).
    var padding: Padding2D = .zero
    var target: TargetCPU = .avx512on256

    /// Whether it reads its layer's input as it is, with no padded copy.
    var padsItself: Bool { padding != .zero }

    var lanes: Int { packed.lanes }
    var outputs: Int { packed.outputs }
    /// Rows of output: what a call can be limited to, as `ConvolutionEmitter` does.
    var parts: Int { outputHeight }

    /// Output pixels per block of vectors of `width` channels: one accumulator
    /// each, plus a weight vector, within AVX2's 16 registers for SIMD16 (two
    /// registers a vector) as well as SIMD8. Where the FMA units are 512 bits
    /// wide, 8: each of a block's sums is a chain of dependent multiply-adds,
    /// and two such units of 4 cycles need 8 chains in flight (on a Zen 5,
    /// MobileNet's depthwise layers at 224x224 took 405 µs in all against 431
    /// in blocks of 4; its 56x56 one 66 against 81 µs).
    func pixelsPerBlock(width: Int) -> Int {
        let most = target.hasFullWidthFMA ? 8 : (width == 16 ? 4 : 6)
        return max(1, min(most, outputWidth))
    }

    /// The channels as runs of vectors, widest first: vectors of 16 while 16
    /// are left, then one of 8 and one of 4, and the last 1–3 channels lane by
    /// lane in a vector of 4. No load reads past a pixel's channels, and few
    /// lanes idle: 44 channels (NASNet's first cells) run as 16, 16, 8 and 4,
    /// where vectors of the widest width dividing them were 11 of 4, a quarter
    /// of an AVX-512 register each. The weights' packing is not involved:
    /// their rows hold the channels contiguously however they are loaded.
    var channelRuns: [(width: Int, start: Int, vectors: Int, channels: Int)] {
        var runs: [(width: Int, start: Int, vectors: Int, channels: Int)] = []
        var start = 0
        for width in [16, 8, 4] where (inputChannels - start) / width > 0 {
            let vectors = (inputChannels - start) / width
            runs.append((width, start, vectors, width))
            start += vectors * width
        }
        if start < inputChannels { runs.append((4, start, 1, inputChannels - start)) }
        return runs
    }

    /// The SIMD widths its code uses, for the model's multiply-add helpers.
    var vectorWidths: Set<Int> { depthMultiplier == 1 ? Set(channelRuns.map(\.width)) : [] }

    func emit(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>\(epilogue?.parameter ?? ""), _ parts: Range<Int> = 0..<\(parts))") { out in
            out.line(packed.namedParts(biasUsed: true))
            if depthMultiplier == 1 {
                emitChannelLanes(into: &out)
            } else {
                emitScalar(into: &out)
            }
        }
    }

    private var rowStride: Int { inputWidth * inputChannels }

    /// Channels in lanes (`channelRuns`), row by row. Near the top and bottom
    /// (only with `padding`) a row reads the kernel rows of a range a switch
    /// gives it: one body for every row, where writing out each edge row with
    /// its rows made NASNetMobile's 5x5 and 7x7 layers 70% more code.
    private func emitChannelLanes(into out: inout SourceWriter) {
        let edges = (0..<outputHeight).filter { kernelRows($0).count != kernel.height }
        out.block("for oy in parts") { out in
            if !edges.isEmpty {
                // Near the top and bottom, only the kernel rows whose input row exists.
                out.line("let kernelRows: Range<Int>")
                out.block("switch oy") { out in
                    for oy in edges {
                        let rows = kernelRows(oy)
                        out.line("case \(oy): kernelRows = \(rows.first ?? 0)..<\(rows.last.map { $0 + 1 } ?? 0)")
                    }
                    out.line("default: kernelRows = 0..<\(kernel.height)")
                }
            }
            emitRow(oy: Index("oy"), limitedRows: !edges.isEmpty, into: &out)
        }
    }

    /// The kernel rows whose input row exists for output row `oy`: a run,
    /// since the rows a window reads go down the input in order.
    private func kernelRows(_ oy: Int) -> [Int] {
        (0..<kernel.height).filter { ky in (0..<inputHeight).contains(oy * strides.height + ky * dilation.height - padding.top) }
    }

    /// Whether output pixel `ox`'s tap `kx` reads a column of the input.
    private func readsInput(ox: Int, kx: Int) -> Bool {
        (0..<inputWidth).contains(ox * strides.width + kx * dilation.width - padding.left)
    }

    /// One row of output (`limitedRows`: its kernel rows are the range
    /// `kernelRows`, since some rows read only padding) for every vector of
    /// channels (`channelRuns`, each run with vectors of its own width), as blocks of
    /// neighbouring pixels. The blocks whose taps all read the input run in
    /// loops; an edge block is written at its constant place. A block's
    /// pixels run through every vector of a run before the next block's: the
    /// block reads a few lines of each input row, then the next lines of the
    /// same rows, where a whole row for one vector of channels read lines
    /// a pixel apart (2 KB for 512 channels), all in two sets of the L1
    /// (MobileNet's 14x14x512 layer alone: 35.7 against 25.1 µs on a Zen 5).
    private func emitRow(oy: Index, limitedRows: Bool, into out: inout SourceWriter) {
        for run in channelRuns {
            let header = run.vectors > 1
                ? "for c0 in stride(from: \(run.start), to: \(run.start + run.vectors * run.width), by: \(run.width))" : "do"
            if run.channels < run.width { out.line("// The last \(run.channels) channel\(run.channels == 1 ? "" : "s"), lane by lane.") }
            emitBlocks(width: run.width, channels: run.channels, channelLoop: header, c0: run.vectors > 1 ? Index("c0") : Index(run.start),
                       oy: oy, limitedRows: limitedRows, into: &out)
        }
    }

    /// A row's blocks of pixels, each for every vector of a run of channels
    /// (`channelLoop`, which names the vector's first channel `c0`).
    private func emitBlocks(width: Int, channels count: Int, channelLoop: String, c0: Index, oy: Index, limitedRows: Bool,
                            into out: inout SourceWriter) {
        /// Whether every tap of every pixel of the block reads a column of the input.
        func clean(_ block: (start: Int, pixels: Int)) -> Bool {
            (block.start..<(block.start + block.pixels)).allSatisfy { ox in (0..<kernel.width).allSatisfy { readsInput(ox: ox, kx: $0) } }
        }
        var blocks: [(start: Int, pixels: Int)] = []
        for run in ConvolutionEmitter.pixelRuns(width: outputWidth, atMost: pixelsPerBlock(width: width)) {
            let start = blocks.last.map { $0.start + $0.pixels } ?? 0
            for block in 0..<run.blocks { blocks.append((start + block * run.pixels, run.pixels)) }
        }
        var index = 0
        while index < blocks.count {
            let block = blocks[index]
            guard clean(block) else {
                out.block(channelLoop) { out in emitBlock(pixels: block.pixels, width: width, channels: count, channelBase: c0, oy: oy, ox: Index(block.start), limitedRows: limitedRows, into: &out) }
                index += 1
                continue
            }
            // The clean blocks of this size that follow, as one loop.
            var end = index + 1
            while end < blocks.count && blocks[end].pixels == block.pixels && clean(blocks[end]) { end += 1 }
            if end - index == 1 {
                out.block(channelLoop) { out in emitBlock(pixels: block.pixels, width: width, channels: count, channelBase: c0, oy: oy, ox: Index(block.start), limitedRows: limitedRows, into: &out) }
            } else {
                out.block("for bx in 0..<\(end - index)") { out in
                    out.line("let ox = \(Index("bx") * block.pixels + block.start)")
                    out.block(channelLoop) { out in
                        emitBlock(pixels: block.pixels, width: width, channels: count, channelBase: c0, oy: oy, ox: Index("ox"), limitedRows: limitedRows, into: &out)
                    }
                }
            }
            index = end
        }
    }

    /// `pixels` neighbouring output pixels x one vector of channels from `c0`,
    /// of which `channels` are real. A kernel row's taps of neighbouring pixels
    /// overlap (pixel p's tap kx reads input column p·stride + kx·dilation), so
    /// each input column of the row is loaded once and feeds every pixel that
    /// reads it: a 3-wide row over 4 pixels loads 6 input vectors, not 12. The
    /// row's weights stay in registers. Columns go left to right, so each
    /// pixel still adds its taps in kx order. At a constant `ox` the taps that
    /// would read left or right of the input are left out; with `limitedRows`
    /// the kernel rows are those of the range `kernelRows`.
    private func emitBlock(pixels: Int, width lanes: Int, channels: Int, channelBase c0: Index, oy: Index, ox: Index, limitedRows: Bool,
                           into out: inout SourceWriter) {
        let whole = channels == lanes, vector = VectorTypes.name(lanes)
        // Which (pixel, tap) pairs read each input column, by column relative to
        // the block's first (p·stride + kx·dilation); at a constant place, only
        // the pairs whose column exists.
        var readers: [Int: [(pixel: Int, tap: Int)]] = [:]
        for p in 0..<pixels {
            for kx in 0..<kernel.width where ox.constantValue.map({ readsInput(ox: $0 + p, kx: kx) }) ?? true {
                readers[p * strides.width + kx * dilation.width, default: []].append((p, kx))
            }
        }
        let readsSomething = !readers.isEmpty
        out.line("let yp = \(((oy * outputWidth + ox) * outputs + c0).offsetting("y"))")
        for p in 0..<pixels {
            let used = readsSomething && readers.values.contains { $0.contains { $0.pixel == p } }
            out.line("\(used ? "var" : "let") s\(p) = bias.\(VectorTypes.load(vector))(at: \(c0))")
        }
        // Where the block's first column starts in a row: a constant block may
        // start left of the input, so its loads carry that column in their offsets.
        let firstColumn = ox * strides.width - padding.left
        let columnBase = ox.constantValue == nil ? firstColumn * inputChannels : Index(0)
        let columnOffset = { (column: Int) -> Index in ox.constantValue == nil ? Index(column * inputChannels) : (firstColumn + column) * inputChannels }
        func kernelRow(_ out: inout SourceWriter, _ ky: Index) {
            let row = oy * (strides.height * rowStride) + ky * (dilation.height * rowStride) - padding.top * rowStride
            out.line("let xr = \((row + columnBase + c0).offsetting("x"))")
            out.line("let wr = \((ky * (kernel.width * packed.paddedOutputs) + c0).offsetting("kernel"))")
            let taps = Set(readers.values.flatMap { $0.map(\.tap) })
            for kx in 0..<kernel.width where taps.contains(kx) {
                out.line("let w\(kx) = wr.\(VectorTypes.load(vector))(at: \(kx * packed.paddedOutputs))")
            }
            for column in readers.keys.sorted() {
                let at = columnOffset(column)
                if whole {
                    out.line("let i\(column) = xr.\(VectorTypes.load(vector))(at: \(at))")
                } else {
                    out.line("var i\(column) = \(vector)(); " + Index.loopLine("lane", count: channels) { lane in "i\(column)[\(lane)] = xr[\(at + lane)]" })
                }
                for (p, kx) in readers[column]! {
                    out.line("s\(p) = madd(s\(p), i\(column), w\(kx))")
                }
            }
        }
        if readsSomething {
            if limitedRows {
                out.block("for ky in kernelRows") { out in kernelRow(&out, Index("ky")) }
            } else {
                // Kernel rows: a constant trip count; the columns are written out.
                out.loop("ky", count: kernel.height, kernelRow)
            }
        }
        for p in 0..<pixels {
            var value = fusedReLU ? "zeroingNegatives(s\(p))" : "s\(p)"
            if let epilogue {
                value = epilogue.apply(to: value, name: "e\(p)", vector: vector, lanes: lanes, channel: c0, existing: channels, into: &out)
            }
            if whole {
                out.line("yp.store(\(value), at: \(p * outputs))")
            } else {
                out.line("do { let v = \(value); " + Index.loopLine("lane", count: channels) { lane in "yp[\(lane + p * outputs)] = v[\(lane)]" } + " }")
            }
        }
    }

    /// Output channel c·m + j from input channel c, one value at a time.
    private func emitScalar(into out: inout SourceWriter) {
        out.block("for oy in parts") { out in
            out.loop("ox", count: outputWidth) { out, ox in
                let oy = Index("oy")
                out.line("let yp = \(((oy * outputWidth + ox) * outputs).offsetting("y"))")
                out.loops([("c", inputChannels), ("j", depthMultiplier)]) { out, index in
                    let (c, j) = (index[0], index[1])
                    out.line("let o = \(c * depthMultiplier + j)")
                    out.line("var s = bias[o]")
                    out.loops([("ky", kernel.height), ("kx", kernel.width)]) { out, tap in
                        let (ky, kx) = (tap[0], tap[1])
                        out.line("let at = \((oy * strides.height + ky * dilation.height) * rowStride + (ox * strides.width + kx * dilation.width) * inputChannels + c)")
                        out.line("s += x[at] * kernel[\((ky * kernel.width + kx) * packed.paddedOutputs + Index("o"))]")
                    }
                    out.line(fusedReLU ? "yp[o] = Swift.max(s, 0)" : "yp[o] = s")
                }
            }
        }
    }
}
