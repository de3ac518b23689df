/// A 3x3, stride-1 Conv2D forward by Winograd's F(2x2, 3x3) or F(4x4, 3x3)
/// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
/// 2015; `WinogradTile`): each m x m block of outputs ("tile") comes from an
/// n x n patch of input (n = m + 2) in n² products per input and output
/// channel instead of 9m², so 2.25x (F(2x2)) or 4x (F(4x4)) fewer
/// multiply-adds. Direct convolution of these layers already ran at the
/// core's FMA peak, so only fewer operations could make them faster. A
/// Conv1D (one row here) runs by a 1-D F(m, r) the same way (`line`).
///
/// Per group of tile rows: the input transform V = Bᵀ d B of every patch,
/// channels in lanes; n² matrix products M[ξ] = V[ξ] · U[ξ] (tiles x input
/// channels times input x output channels, register-blocked by
/// `ConvolutionEmitter` as a 1x1 convolution whose "pixels" are tiles); then
/// the output transform Y = Aᵀ M A with bias and ReLU. U = G g Gᵀ is the
/// kernel transformed once, when the model is made (`WeightPacking.winograd`).
/// F(2x2)'s coefficients are 0, ±1 and ±½, so its results stay within a
/// few units in the last place of direct convolution's; F(4x4)'s are larger
/// (`WinogradTile` says how much). Training's forward
/// pass runs it too (`TrainingArena.reserveWinograd`), and so does dL/dx of
/// such layers with the kernel turned (`WinogradInputGradient`).
struct WinogradConvolutionEmitter: Codable, Hashable {
    var function: String
    var inputChannels: Int
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    /// Where U starts in the packed weights: n² matrices of inputChannels x paddedOutputs.
    var transformedOffset: Int
    var fusedReLU: Bool
    /// F(2x2, 3x3) or F(4x4, 3x3): `WinogradTile.choice` for the output's size.
    var tile: WinogradTile = .two
    /// The layers after it that run in its store at inference (`EpilogueFusion`).
    var epilogue: StoreEpilogue? = nil
    /// The kernel whose product functions this one calls instead of writing
    /// its own: a fused copy shares the unfused kernel's (`EpilogueFusion`).
    var productsOf: String? = nil
    /// The CPU kind the transforms' vectors and the products' register blocks are shaped for.
    var target: TargetCPU = .avx512on256
    /// A Conv1D's 1-D F(m, r) along its one row instead of `tile` (see
    /// `WinogradLine`). Its tiles run in chunks of `tileColumns`, each chunk
    /// a group of one "tile row" (`lineChunks`), so that the emitter's
    /// grouping, products and scratch serve both.
    var line: WinogradLine? = nil

    /// Whether a layer can use it: a 3x3 kernel at stride and dilation 1, and
    /// channel counts that fill whole vectors of 8 (the transforms then need
    /// no partial lanes). Down to 8 channels it still beats the direct kernel,
    /// whose every multiply-add waits on a broadcast of its own there: with
    /// 8 instead of 16 as the least, unet went from 0.853 to 0.759 ms at
    /// batch 32 and mini_resnet from 1.252 to 1.223 ms (Zen 3).
    static func suits(kernel: Size2D, strides: Size2D, dilation: Size2D, inputChannels: Int, outputs: Int) -> Bool {
        kernel == .square(3) && strides == .square(1) && dilation == .square(1)
            && inputChannels >= 8 && inputChannels % 8 == 0
            && outputs >= 8 && outputs % 8 == 0
    }

    /// Whether a Conv1D can run by a `line`: stride and dilation 1 and channel
    /// counts that fill whole vectors of 8, as `suits` asks of a Conv2D; the
    /// taps are `WinogradLine.choice`'s to judge.
    static func suitsLine(taps: Int, strides: Int, dilation: Int, inputChannels: Int, outputs: Int) -> Bool {
        strides == 1 && dilation == 1 && inputChannels >= 8 && inputChannels % 8 == 0 && outputs >= 8 && outputs % 8 == 0
    }

    var tileRows: Int { line == nil ? (outputHeight + tile.size - 1) / tile.size : lineChunks.count }
    var tileColumns: Int { line == nil ? (outputWidth + tile.size - 1) / tile.size : lineChunks.tiles }
    /// The input the tiles read: every tile's n x n patch (a line's run of n) lies inside it.
    var inputHeight: Int { line == nil ? tile.size * tileRows + 2 : 1 }
    var inputWidth: Int {
        guard let line else { return tile.size * tileColumns + 2 }
        return line.outputs * tileRows * tileColumns + line.taps - 1
    }
    /// n² (a line's n), the matrices of V, U and M.
    var transforms: Int { line?.patch ?? tile.products }
    /// The algorithm, as a comment names it: "F(4x4, 3x3)" or "F(4, 5)".
    var algorithm: String { line.map { "F(\($0.outputs), \($0.taps))" } ?? "F(\(tile.size)x\(tile.size), 3x3)" }

    /// A line's tiles in chunks: as many tiles a chunk as make its V and M
    /// about 384 KB (or U's size, whichever is more, as `rowsPerGroup` says
    /// why) and at most half of them, so that two workers can share a
    /// sample; the chunks of equal size, the last one's tiles past the
    /// output computed from zeros and not stored.
    var lineChunks: (count: Int, tiles: Int) {
        guard let line else { return (1, 1) }
        let tiles = line.tiles(length: outputWidth)
        let cached = min((tiles + 1) / 2, (96 * 1024) / (line.patch * (inputChannels + outputs)))
        let weightTiles = (inputChannels * outputs) / (inputChannels + outputs)
        let most = max(1, min(tiles, max(cached, weightTiles)))
        let count = (tiles + most - 1) / most
        return (count, (tiles + count - 1) / count)
    }
    var outputs: Int { packed.outputs }
    /// Vectors of the transforms: F(2x2)'s 4x4 patch is 16 of them at once,
    /// which fills AVX2's 16 registers at 8 lanes and would spill at 16.
    var channelLanes: Int { inputChannels % 16 == 0 && target.registerLanes >= 16 ? 16 : 8 }
    /// Vectors of filters: AVX2's 8, else the packing's 16 unless the filters
    /// end in half a vector (24, 40, …), whose stores run 8 at a time.
    var outputLanes: Int { target.registerLanes >= 16 && outputs % packed.lanes == 0 ? packed.lanes : min(8, packed.lanes) }
    /// The file-level names of the input channels' and the outputs' vectors (`V16`).
    var channelVector: String { VectorTypes.name(channelLanes) }
    var outputVector: String { VectorTypes.name(outputLanes) }

    /// Tile rows per group. Every group streams all of U (n² x inputs x
    /// outputs floats) through its products, so a group must be large enough
    /// that U is not read over and over: at least as many rows as make V and
    /// M as large as U (`weightRows`). Beyond that, as many as keep V and M
    /// within about 384 KB, so they stay in the core's cache, and at most
    /// half the tile rows, so that two workers can share a sample.
    ///
    /// VGG16's 8x8x512 layers show why: one row per group (V and M in
    /// cache) read U's 16 MB four times, and took 11.5 ms; the four rows in
    /// one group take 3.7 ms on Zen 4. Each tile is computed as before, so
    /// the results are the same bits whatever the grouping.
    var rowsPerGroup: Int {
        if line != nil { return 1 }
        let perRow = transforms * tileColumns * (inputChannels + outputs)
        let cached = min((tileRows + 1) / 2, (96 * 1024) / perRow)
        let weightRows = (inputChannels * outputs) / (tileColumns * (inputChannels + outputs))
        return max(1, min(tileRows, max(cached, weightRows)))
    }

    /// Groups of tile rows: a call can be limited to a range of them, each
    /// worker with scratch of its own (see `ConvolutionEmitter.parts`).
    var parts: Int { (tileRows + rowsPerGroup - 1) / rowsPerGroup }

    /// Floats of scratch: V and M for one group of tiles.
    var scratchCount: Int { transforms * (vStride + mStride) }

    /// Floats from one of V's n² matrices to the next, and M's: each matrix
    /// rounded up to whole cache lines, and one line more where that count
    /// is even. A transform reads or writes all n² matrices at once, and at
    /// a stride of a power of two kilobytes (ResNet-20's 128 tiles x 16
    /// channels are 8 KB) all 16 lines fall in one set of the 8-way L1
    /// cache and evict each other; an odd number of lines spreads them over
    /// 16 sets.
    var vStride: Int { Self.skewed(rowsPerGroup * tileColumns * inputChannels) }
    var mStride: Int { Self.skewed(rowsPerGroup * tileColumns * outputs) }

    static func skewed(_ floats: Int) -> Int {
        let lines = (floats + 15) / 16
        return (lines % 2 == 0 ? lines + 1 : lines) * 16
    }

    func emit(into out: inout SourceWriter) {
        let groups = tileRows / rowsPerGroup
        let lastRows = tileRows - groups * rowsPerGroup
        for rows in Set([rowsPerGroup, lastRows]).sorted() where rows > 0 && productsOf == nil {
            product(tiles: rows * tileColumns).emit(into: &out)
            out.line()
        }
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>\(epilogue?.parameter ?? ""), _ parts: Range<Int> = 0..<\(parts))") { out in
            out.line("let v = s, m = s + \(transforms * vStride)")
            if fusedReLU { out.line("let zero = \(outputVector)()") }
            // One body for every group; a shorter last group sets `rows` (the
            // body written twice made F(4x4)'s kernels twice as long to compile).
            let rowCounts = lastRows > 0 ? [rowsPerGroup, lastRows] : [rowsPerGroup]
            if groups + rowCounts.count - 1 == 1 {
                out.block("if parts.contains(0)") { out in
                    out.line("let ty0 = 0")
                    emitGroup(rows: rowCounts, into: &out)
                }
            } else {
                out.block("for group in parts.clamped(to: 0..<\(groups + rowCounts.count - 1))") { out in
                    out.line("let ty0 = group * \(rowsPerGroup)")
                    if lastRows > 0 { out.line("let rows = group < \(groups) ? \(rowsPerGroup) : \(lastRows)") }
                    emitGroup(rows: rowCounts, into: &out)
                }
            }
        }
    }

    /// The tile rows of a group, `rows` where the last group is shorter.
    static func rowsExpression(_ rowCounts: [Int]) -> String { rowCounts.count == 1 ? "\(rowCounts[0])" : "rows" }

    /// A call of the products function for the group's tiles: for each row count its own.
    static func productCall(_ rowCounts: [Int], tileColumns: Int, name: (Int) -> String, arguments: String) -> String {
        guard rowCounts.count == 2 else { return "Self.\(name(rowCounts[0] * tileColumns))(\(arguments))" }
        return "if rows == \(rowCounts[0]) { Self.\(name(rowCounts[0] * tileColumns))(\(arguments)) } else { Self.\(name(rowCounts[1] * tileColumns))(\(arguments)) }"
    }

    /// M[ξ] = V[ξ] · U[ξ] for `tiles` tiles: a 1x1 convolution of a 1 x tiles
    /// image, its sums starting from zero (the bias comes after the transform).
    ///
    /// U in panels (`WeightPlan.PackedKernel.winogradPanels`) makes it a small
    /// output's kernel, which reads each panel straight down and asks for its
    /// lines ahead, as every matrix of U does from memory: they stream one
    /// after another, whatever one matrix's size. In rows, a group of 64
    /// channels read 256 bytes a row, a row's stride apart: ResNet50's
    /// 512-channel layers at 224x224 (7x7 pixels, 4 tiles of F(4x4): 37.7 MB
    /// of U) took 4.2 ms each.
    func product(tiles: Int) -> ConvolutionEmitter {
        var matrix = packed
        matrix.kernelOffset = 0
        if packed.winogradPanels {
            matrix.panelWidth = matrix.lanes
            matrix.rows = inputChannels
        }
        var product = ConvolutionEmitter(
            function: "\(productsOf ?? function)_product\(tiles)", inputHeight: 1, inputWidth: tiles, inputChannels: inputChannels,
            kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: 1, outputWidth: tiles,
            packed: matrix, fusedReLU: false, target: target, startsFromZero: true)
        if packed.winogradPanels { product.panelsFromMemory = true }
        return product
    }

    /// Floats of U beyond which a layer of few tiles reads it in panels
    /// (`ConvolutionEmitter.cachedWeightFloats`, 1 MB). Below, U stays near
    /// the core from one sample to the next, and rows keep the blocks AVX2
    /// is tuned for (ResNet-20's 8x8 stage, 0.6 MB, in vectors of 8: `ConvolutionEmitter.lanes`).
    static let cachedKernelFloats = ConvolutionEmitter.cachedWeightFloats

    private func emitGroup(rows rowCounts: [Int], into out: inout SourceWriter) {
        if let line { return emitLineGroup(line, into: &out) }
        let rows = Self.rowsExpression(rowCounts), m = tile.size, n = tile.patch
        Self.emitInputTransform(tile: tile, rows: rows, tileColumns: tileColumns, inputWidth: inputWidth, inputChannels: inputChannels,
                                channelLanes: channelLanes, vStride: vStride, into: &out)
        out.line("// \(transforms) products M[ξ] = V[ξ] · U[ξ].")
        out.block("for xi in 0..<\(transforms)") { out in
            out.line(Self.productCall(rowCounts, tileColumns: tileColumns, name: { "\(productsOf ?? function)_product\($0)" },
                                      arguments: "UnsafePointer(v + xi * \(vStride)), w + \(transformedOffset) + xi * \(inputChannels * packed.paddedOutputs), m + xi * \(mStride)"))
        }
        out.line("// Output transform: Y = Aᵀ M A + bias, each \(m)x\(m) block of outputs.")
        out.block("for r in 0..<\(rows)") { out in
            out.line("let oy = \(m) * (ty0 + r)")
            out.block("for tx in 0..<\(tileColumns)") { out in
                out.line("let t = r * \(tileColumns) + tx, ox = \(m) * tx")
                // The tile's first output: each store's offset from it is a constant, which type-checks fast.
                out.line("let yt = y + (oy * \(outputWidth) + ox) * \(outputs)")
                out.block("for k in stride(from: 0, to: \(outputs), by: \(outputLanes))") { out in
                    out.line("let bias = w.\(VectorTypes.load(outputVector))(at: \(packed.biasOffset) + k), mt = UnsafePointer(m) + (t * \(outputs) + k)")
                    // A on the columns of each row of M, then Aᵀ on the rows.
                    Self.emitRowTransforms(tile.outputFunction, rows: n, results: m, loading: "m", as: "a", into: &out) { i, j in
                        "mt.\(VectorTypes.load(outputVector))(at: \((i * n + j) * mStride))"
                    }
                    for j in 0..<m {
                        out.line("let (" + (0..<m).map { "s\($0)\(j)" }.joined(separator: ", ") + ") = \(tile.outputFunction)("
                                 + (0..<n).map { "a\($0)\(j)" }.joined(separator: ", ") + ")")
                    }
                    for i in 0..<m {
                        for j in 0..<m {
                            emitStore("s\(i)\(j) + bias", name: "\(i)\(j)", at: (i * outputWidth + j) * outputs,
                                      inside: Self.insideOutput(tile: tile, row: i, column: j, outputHeight: outputHeight, outputWidth: outputWidth),
                                      into: &out)
                        }
                    }
                }
            }
        }
    }

    /// A line's chunk of `tileColumns` tiles from tile `ty0 · tileColumns`:
    /// V = Bᵀ d of each tile's run d of n inputs, the n products, and
    /// y = Aᵀ M + bias of each tile's m outputs. The transforms' sums are
    /// written out (`WinogradTile.combination`), one per value of V and y.
    private func emitLineGroup(_ line: WinogradLine, into out: inout SourceWriter) {
        let m = line.outputs, n = line.patch
        // A constant is named by its vector type and value: where both transforms'
        // vectors have one width, a value they share is declared once.
        var constants: [(String, Double)] = []
        for constant in WinogradTile.constantValues(of: line.inputTransform).map({ (channelVector, $0) })
            + WinogradTile.constantValues(of: line.outputTransform).map({ (outputVector, $0) })
        where !constants.contains(where: { $0 == constant }) {
            constants.append(constant)
        }
        if !constants.isEmpty {
            out.line("let " + constants.map { WinogradTile.constantDeclaration($0, $1) }.joined(separator: ", "))
        }
        out.line("// Input transform: V[ξ][tile][c] = (Bᵀ d)[ξ] for each run d of \(n) inputs.")
        out.block("for tx in 0..<\(tileColumns)") { out in
            out.line("let patch = x + (ty0 * \(tileColumns) + tx) * \(m * inputChannels)")
            out.block("for c in stride(from: 0, to: \(inputChannels), by: \(channelLanes))") { out in
                out.line("let vt = v + (tx * \(inputChannels) + c), pc = patch + c")
                out.line("let " + (0..<n).map { "d\($0) = pc.\(VectorTypes.load(channelVector))(at: \($0 * inputChannels))" }.joined(separator: ", "))
                let terms = (0..<n).map { "d\($0)" }
                for (xi, row) in line.inputTransform.enumerated() {
                    out.line("vt.store(\(WinogradTile.combination(row, of: terms, vector: channelVector)), at: \(xi * vStride))")
                }
            }
        }
        out.line("// \(transforms) products M[ξ] = V[ξ] · U[ξ].")
        out.block("for xi in 0..<\(transforms)") { out in
            out.line(Self.productCall([1], tileColumns: tileColumns, name: { "\(productsOf ?? function)_product\($0)" },
                                      arguments: "UnsafePointer(v + xi * \(vStride)), w + \(transformedOffset) + xi * \(inputChannels * packed.paddedOutputs), m + xi * \(mStride)"))
        }
        out.line("// Output transform: y = Aᵀ M + bias, each run of \(m) outputs.")
        out.block("for tx in 0..<\(tileColumns)") { out in
            out.line("let ox = \(m) * (ty0 * \(tileColumns) + tx), yt = y + ox * \(outputs)")
            out.block("for k in stride(from: 0, to: \(outputs), by: \(outputLanes))") { out in
                out.line("let bias = w.\(VectorTypes.load(outputVector))(at: \(packed.biasOffset) + k), mt = UnsafePointer(m) + (tx * \(outputs) + k)")
                out.line("let " + (0..<n).map { "m\($0) = mt.\(VectorTypes.load(outputVector))(at: \($0 * mStride))" }.joined(separator: ", "))
                let terms = (0..<n).map { "m\($0)" }
                for (j, row) in line.outputTransform.enumerated() {
                    emitStore("\(WinogradTile.combination(row, of: terms, vector: outputVector)) + bias", name: "\(j)", at: j * outputs,
                              inside: lineOutputInside(line, column: j), into: &out)
                }
            }
        }
    }

    /// One output vector of a tile, `sum` (with the bias) as `y<name>`: ReLU and
    /// the fused epilogue on it, stored `offset` floats past the tile's first
    /// output plus the channel `k`, under `inside` where that is not always so.
    private func emitStore(_ sum: String, name: String, at offset: Int, inside: String?, into out: inout SourceWriter) {
        out.line("let y\(name) = \(sum)")
        var value = fusedReLU ? "y\(name).replacing(with: zero, where: y\(name) .< zero)" : "y\(name)"
        if let epilogue {
            value = epilogue.apply(to: value, name: "e\(name)", vector: outputVector, lanes: outputLanes, channel: Index("k"),
                                   existing: outputLanes, into: &out)
        }
        let store = "yt.store(\(value), at: \(Index(offset) + Index("k")))"
        out.line(inside.map { "if \($0) { \(store) }" } ?? store)
    }

    /// Whether output ox + column of a line's tile lies inside the output, or
    /// nil where it always does: a tile past the output (the last chunk's
    /// padding) stores none, the last one whole only the columns up to the end.
    private func lineOutputInside(_ line: WinogradLine, column: Int) -> String? {
        let padded = tileRows * tileColumns > line.tiles(length: outputWidth)
        let partial = outputWidth % line.outputs != 0 && column >= outputWidth % line.outputs
        return padded || partial ? "ox + \(column) < \(outputWidth)" : nil
    }

    /// Whether output (oy + row, ox + column) of a tile lies inside the output,
    /// or nil where it always does: only the last tile row and column can
    /// reach past an output size that is not a multiple of the tile's.
    static func insideOutput(tile: WinogradTile = .two, row: Int, column: Int, outputHeight: Int, outputWidth: Int) -> String? {
        var conditions: [String] = []
        if outputHeight % tile.size != 0 && row >= outputHeight % tile.size { conditions.append("oy + \(row) < \(outputHeight)") }
        if outputWidth % tile.size != 0 && column >= outputWidth % tile.size { conditions.append("ox + \(column) < \(outputWidth)") }
        return conditions.isEmpty ? nil : conditions.joined(separator: " && ")
    }

    /// V[ξ][tile][c] = (Bᵀ d B)[ξ] for the n x n patch d of each tile of `rows`
    /// tile rows from `ty0`, read from `x` (the padded input); V's matrices
    /// `vStride` floats apart in `v`. Training's Winograd dL/dkernel transforms its input so too.
    static func emitInputTransform(tile: WinogradTile = .two, rows: String, tileColumns: Int, inputWidth: Int, inputChannels: Int,
                                   channelLanes: Int, vStride: Int, into out: inout SourceWriter) {
        let rowFloats = inputWidth * inputChannels, m = tile.size, n = tile.patch
        out.line("// Input transform: V[ξ][tile][c] = (Bᵀ d B)[ξ] for each \(n)x\(n) patch d.")
        out.block("for r in 0..<\(rows)") { out in
            out.block("for tx in 0..<\(tileColumns)") { out in
                out.line("let t = r * \(tileColumns) + tx")
                out.line("let patch = x + ((ty0 + r) * \(m * rowFloats) + tx * \(m * inputChannels))")
                out.block("for c in stride(from: 0, to: \(inputChannels), by: \(channelLanes))") { out in
                    out.line("let vt = v + (t * \(inputChannels) + c), pc = patch + c")
                    // B on the columns of each row of the patch, then Bᵀ on the rows.
                    emitRowTransforms(tile.inputFunction, rows: n, results: n, loading: "d", as: "b", into: &out) { i, j in
                        "pc.\(VectorTypes.load(VectorTypes.name(channelLanes)))(at: \(i * rowFloats + j * inputChannels))"
                    }
                    for j in 0..<n {
                        out.line("let (" + (0..<n).map { "v\($0)\(j)" }.joined(separator: ", ") + ") = \(tile.inputFunction)("
                                 + (0..<n).map { "b\($0)\(j)" }.joined(separator: ", ") + ")")
                        for i in 0..<n {
                            out.line("vt.store(v\(i)\(j), at: \((i * n + j) * vStride))")
                        }
                    }
                }
            }
        }
    }

    /// The first half of a 2-D transform: each of the `rows` rows of values,
    /// loaded as `\(loaded)ij` by `load(i, j)`, through the 1-D transform
    /// `function` (`WinogradTile.emitHelpers`), into `\(result)i0` … of `results` values.
    private static func emitRowTransforms(_ function: String, rows: Int, results: Int, loading loaded: String, as result: String,
                                          into out: inout SourceWriter, load: (Int, Int) -> String) {
        for i in 0..<rows {
            out.line("let " + (0..<rows).map { j in "\(loaded)\(i)\(j) = \(load(i, j))" }.joined(separator: ", "))
            out.line("let (" + (0..<results).map { "\(result)\(i)\($0)" }.joined(separator: ", ") + ") = \(function)("
                     + (0..<rows).map { "\(loaded)\(i)\($0)" }.joined(separator: ", ") + ")")
        }
    }
}
