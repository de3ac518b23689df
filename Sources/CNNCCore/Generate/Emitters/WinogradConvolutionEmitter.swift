/// A 3x3, stride-1 Conv2D forward by Winograd's F(2x2, 3x3) (Lavin and
/// Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each 2x2
/// block of outputs ("tile") comes from a 4x4 patch of input in 16 products
/// per input and output channel instead of 36, so 2.25x fewer multiply-adds.
/// Direct convolution of these layers already ran at the core's FMA peak,
/// so only fewer operations could make them faster.
///
/// Per group of tile rows: the input transform V = Bᵀ d B of every patch,
/// channels in lanes; 16 matrix products M[ξ] = V[ξ] · U[ξ] (tiles x input
/// channels times input x output channels, register-blocked by
/// `ConvolutionEmitter` as a 1x1 convolution whose "pixels" are tiles); then
/// the output transform Y = Aᵀ M A with bias and ReLU. U = G g Gᵀ is the
/// kernel transformed once, when the model is made (`WeightPacking.winograd`).
/// The transforms' coefficients are 0, ±1 and ±½, so results stay within a
/// few units in the last place of direct convolution's. Training's forward
/// pass runs it too (`TrainingArena.reserveWinograd`), and so does dL/dx of
/// such layers with the kernel turned (`WinogradInputGradient`).
struct WinogradConvolutionEmitter: Codable, Hashable {
    var function: String
    var inputChannels: Int
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    /// Where U starts in the packed weights: 16 matrices of inputChannels x paddedOutputs.
    var transformedOffset: Int
    var fusedReLU: Bool
    /// The layers after it that run in its store at inference (`EpilogueFusion`).
    var epilogue: StoreEpilogue? = nil
    /// The kernel whose product functions this one calls instead of writing
    /// its own: a fused copy shares the unfused kernel's (`EpilogueFusion`).
    var productsOf: String? = nil
    /// The CPU kind the transforms' vectors and the products' register blocks are shaped for.
    var target: TargetCPU = .avx512on256

    /// Whether a layer can use it: a 3x3 kernel at stride and dilation 1, and
    /// channel counts that fill whole vectors of 8 (the transforms then need
    /// no partial lanes). Down to 8 channels it still beats the direct kernel,
    /// whose every multiply-add waits on a broadcast of its own there: with
    /// 8 instead of 16 as the least, unet went from 0.853 to 0.759 ms at
    /// batch 32 and mini_resnet from 1.252 to 1.223 ms (Zen 3).
    static func suits(kernel: Size2D, strides: Size2D, dilation: Size2D, inputChannels: Int, outputs: Int) -> Bool {
        kernel == .square(3) && strides == .square(1) && dilation == .square(1)
            && inputChannels >= 8 && inputChannels % 8 == 0
            && outputs >= 8 && outputs % WeightPlan.lanes(forOutputs: outputs) == 0
    }

    var tileRows: Int { (outputHeight + 1) / 2 }
    var tileColumns: Int { (outputWidth + 1) / 2 }
    /// The input the tiles read: every tile's 4x4 patch lies inside it.
    var inputHeight: Int { 2 * tileRows + 2 }
    var inputWidth: Int { 2 * tileColumns + 2 }
    var outputs: Int { packed.outputs }
    /// Vectors of the transforms: a 4x4 patch is 16 of them at once, which
    /// fills AVX2's 16 registers at 8 lanes and would spill at 16.
    var channelLanes: Int { inputChannels % 16 == 0 && target.registerLanes >= 16 ? 16 : 8 }
    var outputLanes: Int { target.registerLanes >= 16 ? packed.lanes : min(8, packed.lanes) }

    /// Tile rows per group. Every group streams all of U (16 x inputs x
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
        let perRow = 16 * tileColumns * (inputChannels + outputs)
        let cached = min((tileRows + 1) / 2, (96 * 1024) / perRow)
        let weightRows = (inputChannels * outputs) / (tileColumns * (inputChannels + outputs))
        return max(1, min(tileRows, max(cached, weightRows)))
    }

    /// Groups of tile rows: a call can be limited to a range of them, each
    /// worker with scratch of its own (see `ConvolutionEmitter.parts`).
    var parts: Int { (tileRows + rowsPerGroup - 1) / rowsPerGroup }

    /// Floats of scratch: V and M for one group of tiles.
    var scratchCount: Int { 16 * (vStride + mStride) }

    /// Floats from one of V's 16 matrices to the next, and M's: each matrix
    /// rounded up to whole cache lines, and one line more where that count
    /// is even. A transform reads or writes all 16 matrices at once, and at
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
            out.line("typealias VC = SIMD\(channelLanes)<Float>")
            out.line("typealias VK = SIMD\(outputLanes)<Float>")
            out.line("let v = s, m = s + \(16 * vStride)")
            if groups == 1 {
                out.block("if parts.contains(0)") { out in
                    out.line("let ty0 = 0")
                    emitGroup(rows: rowsPerGroup, into: &out)
                }
            } else if groups > 1 {
                out.block("for group in parts.clamped(to: 0..<\(groups))") { out in
                    out.line("let ty0 = group * \(rowsPerGroup)")
                    emitGroup(rows: rowsPerGroup, into: &out)
                }
            }
            if lastRows > 0 {
                out.block("if parts.contains(\(groups))") { out in
                    out.line("let ty0 = \(groups * rowsPerGroup)")
                    emitGroup(rows: lastRows, into: &out)
                }
            }
        }
    }

    /// M[ξ] = V[ξ] · U[ξ] for `tiles` tiles: a 1x1 convolution of a 1 x tiles
    /// image, its sums starting from zero (the bias comes after the transform).
    private func product(tiles: Int) -> ConvolutionEmitter {
        var matrix = packed
        matrix.kernelOffset = 0
        return ConvolutionEmitter(
            function: "\(productsOf ?? function)_product\(tiles)", inputHeight: 1, inputWidth: tiles, inputChannels: inputChannels,
            kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: 1, outputWidth: tiles,
            packed: matrix, fusedReLU: false, target: target, startsFromZero: true)
    }

    private func emitGroup(rows: Int, into out: inout SourceWriter) {
        let tiles = rows * tileColumns
        Self.emitInputTransform(rows: rows, tileColumns: tileColumns, inputWidth: inputWidth, inputChannels: inputChannels,
                                channelLanes: channelLanes, vStride: vStride, into: &out)
        out.line("// 16 products M[ξ] = V[ξ] · U[ξ].")
        out.block("for xi in 0..<16") { out in
            out.line("Self.\(productsOf ?? function)_product\(tiles)(UnsafePointer(v + xi * \(vStride)), w + \(transformedOffset) + xi * \(inputChannels * packed.paddedOutputs), m + xi * \(mStride))")
        }
        out.line("// Output transform: Y = Aᵀ M A + bias, each 2x2 block of outputs.")
        out.block("for r in 0..<\(rows)") { out in
            out.line("let oy = 2 * (ty0 + r)")
            out.block("for tx in 0..<\(tileColumns)") { out in
                out.line("let t = r * \(tileColumns) + tx, ox = 2 * tx")
                out.block("for k in stride(from: 0, to: \(outputs), by: \(outputLanes))") { out in
                    out.line("let bias = w.simd(VK.self, at: \(packed.biasOffset) + k)")
                    for i in 0..<4 {
                        let loads = (0..<4).map { j in "UnsafePointer(m).simd(VK.self, at: \((i * 4 + j) * mStride) + t * \(outputs) + k)" }
                        out.line("let m\(i)0 = \(loads[0]), m\(i)1 = \(loads[1]), m\(i)2 = \(loads[2]), m\(i)3 = \(loads[3])")
                    }
                    // Aᵀ on the rows, then A on the columns.
                    out.line("let a00 = m00 + m10 + m20, a01 = m01 + m11 + m21, a02 = m02 + m12 + m22, a03 = m03 + m13 + m23")
                    out.line("let a10 = m10 - m20 - m30, a11 = m11 - m21 - m31, a12 = m12 - m22 - m32, a13 = m13 - m23 - m33")
                    for i in 0..<2 {
                        out.line("let y\(i)0 = a\(i)0 + a\(i)1 + a\(i)2 + bias, y\(i)1 = a\(i)1 - a\(i)2 - a\(i)3 + bias")
                    }
                    for i in 0..<2 {
                        for j in 0..<2 {
                            var value = fusedReLU ? "y\(i)\(j).replacing(with: 0, where: y\(i)\(j) .< 0)" : "y\(i)\(j)"
                            if let epilogue {
                                value = epilogue.apply(to: value, name: "e\(i)\(j)", vector: "VK", lanes: outputLanes, channel: Index("k"),
                                                       existing: outputLanes, into: &out)
                            }
                            let store = "y.store(\(value), at: \(((Index("oy") + i) * outputWidth + Index("ox") + j) * outputs + Index("k")))"
                            let inside = Self.insideOutput(row: i, column: j, outputHeight: outputHeight, outputWidth: outputWidth)
                            out.line(inside.map { "if \($0) { \(store) }" } ?? store)
                        }
                    }
                }
            }
        }
    }

    /// Whether output (oy + row, ox + column) of a tile lies inside the output,
    /// or nil where it always does: only the last tile row and column can
    /// reach past an odd output size.
    static func insideOutput(row: Int, column: Int, outputHeight: Int, outputWidth: Int) -> String? {
        var conditions: [String] = []
        if row == 1 && outputHeight % 2 == 1 { conditions.append("oy + 1 < \(outputHeight)") }
        if column == 1 && outputWidth % 2 == 1 { conditions.append("ox + 1 < \(outputWidth)") }
        return conditions.isEmpty ? nil : conditions.joined(separator: " && ")
    }

    /// V[ξ][tile][c] = (Bᵀ d B)[ξ] for the 4x4 patch d of each tile of `rows`
    /// tile rows from `ty0`, read from `x` (the padded input); V's matrices
    /// `vStride` floats apart in `v`. Training's Winograd dL/dkernel transforms its input so too.
    static func emitInputTransform(rows: Int, tileColumns: Int, inputWidth: Int, inputChannels: Int, channelLanes: Int, vStride: Int,
                                   into out: inout SourceWriter) {
        let rowFloats = inputWidth * inputChannels
        out.line("// Input transform: V[ξ][tile][c] = (Bᵀ d B)[ξ] for each 4x4 patch d.")
        out.block("for r in 0..<\(rows)") { out in
            out.block("for tx in 0..<\(tileColumns)") { out in
                out.line("let t = r * \(tileColumns) + tx")
                out.line("let patch = x + ((ty0 + r) * \(2 * rowFloats) + tx * \(2 * inputChannels))")
                out.block("for c in stride(from: 0, to: \(inputChannels), by: \(channelLanes))") { out in
                    for i in 0..<4 {
                        let loads = (0..<4).map { j in "patch.simd(VC.self, at: \(i * rowFloats + j * inputChannels) + c)" }
                        out.line("let d\(i)0 = \(loads[0]), d\(i)1 = \(loads[1]), d\(i)2 = \(loads[2]), d\(i)3 = \(loads[3])")
                    }
                    // Bᵀ on the rows, then B on the columns.
                    let rowsT: [(Int) -> String] = [{ "d0\($0) - d2\($0)" }, { "d1\($0) + d2\($0)" }, { "d2\($0) - d1\($0)" }, { "d1\($0) - d3\($0)" }]
                    for (i, formula) in rowsT.enumerated() {
                        out.line("let b\(i)0 = \(formula(0)), b\(i)1 = \(formula(1)), b\(i)2 = \(formula(2)), b\(i)3 = \(formula(3))")
                    }
                    for i in 0..<4 {
                        let columns = ["b\(i)0 - b\(i)2", "b\(i)1 + b\(i)2", "b\(i)2 - b\(i)1", "b\(i)1 - b\(i)3"]
                        for (j, value) in columns.enumerated() {
                            out.line("v.store(\(value), at: \((i * 4 + j) * vStride) + t * \(inputChannels) + c)")
                        }
                    }
                }
            }
        }
    }
}
