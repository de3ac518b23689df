/// dL/dkernel of a 3x3 stride-1 Conv2D by the adjoint of the Winograd
/// algorithm its forward pass runs by at inference, F(2x2, 3x3) or F(4x4, 3x3)
/// (`WinogradTile`).
///
/// The forward pass computes each m x m tile of outputs as y = Aᵀ[(G g Gᵀ) ⊙
/// (Bᵀ d B)]A, so dL/dg = Gᵀ[Σ_tiles (Bᵀ d B) ⊙ (A dy Aᵀ)]G: per tile the
/// input transform V (the forward pass's), the m x m block of dL/dz taken to
/// n x n as Z = A dz Aᵀ, then n² matrix products S[ξ] += V[ξ]ᵀ · Z[ξ] (input
/// channels x tiles times tiles x filters). S is linear in the samples, so it
/// sums over the whole batch (among the step gradients, after the
/// parameters' gradients) and dL/dkernel += Gᵀ S G runs once a step
/// (`_fold`). That is n²/m² multiply-adds per output, input channel and
/// filter (4 for F(2x2), 2.25 for F(4x4)) against 9 for the direct sums
/// (`BackwardEmitter`), whose FMA loop already ran near the core's peak: only
/// fewer operations could make it faster. The sums run in another order than
/// the direct form's, so dL/dkernel differs in its last bits. (The training
/// forward pass keeps F(2x2) for its accuracy, `WinogradTrainingForward`;
/// this adjoint's rounding stays in dL/dkernel, which nothing else reads.)
struct WinogradKernelGradientEmitter: Codable, Hashable, Sendable {
    var function: String
    var inputChannels: Int
    var outputs: Int
    var outputHeight: Int
    var outputWidth: Int
    var target: TargetCPU
    /// The forward kernel's algorithm, whose adjoint this is.
    var tile: WinogradTile = .two

    var tileRows: Int { (outputHeight + tile.size - 1) / tile.size }
    var tileColumns: Int { (outputWidth + tile.size - 1) / tile.size }
    /// The padded input it reads: the forward kernel's (`WinogradKernelGradient.padding`).
    var inputHeight: Int { tile.size * tileRows + 2 }
    var inputWidth: Int { tile.size * tileColumns + 2 }
    var transforms: Int { tile.products }
    /// The products' filter vectors (a whole number of them: `WinogradConvolutionEmitter.suits`).
    var lanes: Int { WeightPlan.lanes(forOutputs: outputs) }
    /// The Z and inverse transforms' vectors: with AVX2, 8 lanes, as the
    /// forward kernel's output transform (16 vectors of 16 lanes live at once
    /// would need 32 registers).
    var transformLanes: Int { target.registerLanes >= 16 ? lanes : min(8, lanes) }
    /// The file-level name of the transforms' vectors (`V16`).
    var transformVector: String { VectorTypes.name(transformLanes) }
    /// The input transform's vectors, as the forward kernel's.
    var channelLanes: Int { inputChannels % 16 == 0 && target.registerLanes >= 16 ? 16 : 8 }

    /// Tile rows per group: V and Z of a group within about 64 KB (`groupFloats`),
    /// so they stay in the core's cache between the transforms and the
    /// products; the groups as equal as that allows. S is read and written
    /// once a group, a small part of the products' work. On ResNet-20's
    /// training step (Zen 3): 94.4 ms with 384 KB, 93.3 with 64 KB, 94.2 with 32 KB.
    static let groupFloats = 16 * 1024
    static let minimumTiles = 16
    var rowsPerGroup: Int {
        let perRow = transforms * tileColumns * (inputChannels + outputs)
        // At least `minimumTiles` a group: S is read and written once a group.
        let fewest = (Self.minimumTiles + tileColumns - 1) / tileColumns
        let most = max(1, min(tileRows, max(fewest, Self.groupFloats / perRow)))
        let groups = (tileRows + most - 1) / most
        return (tileRows + groups - 1) / groups
    }

    var vStride: Int { WinogradConvolutionEmitter.skewed(rowsPerGroup * tileColumns * inputChannels) }
    var zStride: Int { WinogradConvolutionEmitter.skewed(rowsPerGroup * tileColumns * outputs) }
    /// Floats of scratch: V and Z of one group.
    var scratchCount: Int { transforms * (vStride + zStride) }

    /// Full groups of `rowsPerGroup` tile rows, then the rows left.
    private var fullGroups: Int { tileRows / rowsPerGroup }
    private var lastRows: Int { tileRows % rowsPerGroup }

    func emit(into out: inout SourceWriter) {
        for rows in Set([rowsPerGroup, lastRows]).sorted() where rows > 0 {
            emitProduct(tiles: rows * tileColumns, into: &out)
            out.line()
        }
        out.line("// dL/dkernel by Winograd's adjoint: S[ξ] += Σ_tiles V[ξ]ᵀ Z[ξ] into `sums`, this sample's part of")
        out.line("// the batch's S (\(function)_fold turns it into dL/dkernel once a step)")
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ dz: UnsafePointer<Float>, _ sums: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>)") { out in
            out.line("let v = s, z = s + \(transforms * vStride)")
            // Group by group: V and Z stay in cache from their transforms to their products.
            // One body for every group, as the forward kernel's (`WinogradConvolutionEmitter.emitGroup`).
            let rowCounts = lastRows > 0 ? [rowsPerGroup, lastRows] : [rowsPerGroup]
            out.loop("group", count: fullGroups + rowCounts.count - 1) { out, group in
                out.line("let ty0 = \(group * rowsPerGroup)")
                if lastRows > 0 { out.line("let rows = \(group) < \(fullGroups) ? \(rowsPerGroup) : \(lastRows)") }
                emitGroup(rows: rowCounts, into: &out)
            }
        }
        out.line()
        out.line("// dL/dkernel += Gᵀ S G, S summed over the batch")
        out.line("@inline(never)")
        out.block("static func \(function)_fold(_ sums: UnsafePointer<Float>, _ kernelGradient: UnsafeMutablePointer<Float>)") { out in
            emitInverseTransform(into: &out)
        }
        out.line()
    }

    private func emitGroup(rows rowCounts: [Int], into out: inout SourceWriter) {
        let rows = WinogradConvolutionEmitter.rowsExpression(rowCounts), m = tile.size, n = tile.patch
        WinogradConvolutionEmitter.emitInputTransform(tile: tile, rows: rows, tileColumns: tileColumns, inputWidth: inputWidth,
                                                      inputChannels: inputChannels, channelLanes: channelLanes, vStride: vStride, into: &out)
        out.line("// dL/dz's \(m)x\(m) blocks as Z = A dz Aᵀ; past the output's edge, zeros.")
        out.block("for r in 0..<\(rows)") { out in
            out.line("let oy = \(m) * (ty0 + r)")
            out.block("for tx in 0..<\(tileColumns)") { out in
                out.line("let t = r * \(tileColumns) + tx, ox = \(m) * tx")
                out.line("let dzt = dz + (oy * \(outputWidth) + ox) * \(outputs)")
                out.block("for k in stride(from: 0, to: \(outputs), by: \(transformLanes))") { out in
                    out.line("let zt = z + (t * \(outputs) + k)")
                    // A on the columns of each row of the block, then on the rows.
                    for i in 0..<m {
                        let loads = (0..<m).map { j -> String in
                            let load = "dzt.simd(\(transformVector).self, at: \((i * outputWidth + j) * outputs) + k)"
                            let inside = WinogradConvolutionEmitter.insideOutput(tile: tile, row: i, column: j, outputHeight: outputHeight, outputWidth: outputWidth)
                            return "d\(i)\(j) = " + (inside.map { "\($0) ? \(load) : \(transformVector)()" } ?? load)
                        }
                        out.line("let " + loads.joined(separator: ", "))
                        out.line("let (" + (0..<n).map { "e\(i)\($0)" }.joined(separator: ", ") + ") = \(tile.outputAdjointFunction)("
                                 + (0..<m).map { "d\(i)\($0)" }.joined(separator: ", ") + ")")
                    }
                    for j in 0..<n {
                        out.line("let (" + (0..<n).map { "z\($0)\(j)" }.joined(separator: ", ") + ") = \(tile.outputAdjointFunction)("
                                 + (0..<m).map { "e\($0)\(j)" }.joined(separator: ", ") + ")")
                        for i in 0..<n {
                            out.line("zt.store(z\(i)\(j), at: \((i * n + j) * zStride))")
                        }
                    }
                }
            }
        }
        out.line("// \(transforms) products S[ξ] += V[ξ]ᵀ · Z[ξ].")
        out.block("for xi in 0..<\(transforms)") { out in
            out.line(WinogradConvolutionEmitter.productCall(rowCounts, tileColumns: tileColumns, name: productName(tiles:),
                                                            arguments: "UnsafePointer(v + xi * \(vStride)), UnsafePointer(z + xi * \(zStride)), sums + xi * \(inputChannels * outputs)"))
        }
    }

    private func productName(tiles: Int) -> String { "\(function)_product\(tiles)" }

    /// S += Vᵀ · Z over `tiles` tiles: rows of input channels side by side (as
    /// many as `BackwardEmitter.rowsAtOnce` keeps in registers), each row's
    /// sum over the tiles in a register of filters.
    private func emitProduct(tiles: Int, into out: inout SourceWriter) {
        let vector = "SIMD\(lanes)<Float>", groups = outputs / lanes
        let most = BackwardEmitter.rowsAtOnce(rows: inputChannels, lanes: lanes, target: target)
        let blocks = inputChannels / most, rest = inputChannels % most
        out.line("@inline(never)")
        out.block("static func \(productName(tiles: tiles))(_ v: UnsafePointer<Float>, _ z: UnsafePointer<Float>, _ sums: UnsafeMutablePointer<Float>)") { out in
            func emitRows(first: String, count: Int, into out: inout SourceWriter) {
                out.block("for g in 0..<\(groups)") { out in
                    out.line("let row = sums + (\(first)) * \(outputs) + g * \(lanes)")
                    out.line("var " + (0..<count).map { "s\($0) = row.simd(\(vector).self, at: \($0 * outputs))" }.joined(separator: ", "))
                    out.block("for t in 0..<\(tiles)") { out in
                        out.line("let zv = z.simd(\(vector).self, at: t * \(outputs) + g * \(lanes)), vp = v + t * \(inputChannels) + (\(first))")
                        out.line((0..<count).map { "s\($0) = madd(s\($0), \(vector)(repeating: vp[\($0)]), zv)" }.joined(separator: "; "))
                    }
                    out.line((0..<count).map { "row.store(s\($0), at: \($0 * outputs))" }.joined(separator: "; "))
                }
            }
            if blocks > 0 {
                out.block("for block in 0..<\(blocks)") { out in emitRows(first: "block * \(most)", count: most, into: &out) }
            }
            if rest > 0 { emitRows(first: "\(blocks * most)", count: rest, into: &out) }
        }
    }

    /// dL/dkernel[a][b] += (Gᵀ S G)[a][b].
    private func emitInverseTransform(into out: inout SourceWriter) {
        let matrix = inputChannels * outputs, n = tile.patch
        out.line("// dL/dkernel += Gᵀ S G (G as `WeightPacking.winogradKernelTransform(tile: \(tile.size))`)")
        out.block("for at in stride(from: 0, to: \(matrix), by: \(transformLanes))") { out in
            out.line("let st = sums + at, kt = kernelGradient + at")
            // Gᵀ on the columns of each row of S, then on the rows.
            for i in 0..<n {
                out.line("let " + (0..<n).map { j in "s\(i)\(j) = st.simd(\(transformVector).self, at: \((i * n + j) * matrix))" }.joined(separator: ", "))
                out.line("let (t\(i)0, t\(i)1, t\(i)2) = \(tile.kernelAdjointFunction)(" + (0..<n).map { "s\(i)\($0)" }.joined(separator: ", ") + ")")
            }
            for b in 0..<3 {
                out.line("let (g0\(b), g1\(b), g2\(b)) = \(tile.kernelAdjointFunction)(" + (0..<n).map { "t\($0)\(b)" }.joined(separator: ", ") + ")")
                for a in 0..<3 {
                    out.line("kt.store(UnsafePointer(kt).simd(\(transformVector).self, at: \((a * 3 + b) * matrix)) + g\(a)\(b), at: \((a * 3 + b) * matrix))")
                }
            }
        }
    }
}
