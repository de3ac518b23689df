/// dL/dkernel of a 3x3 stride-1 Conv2D by the adjoint of Winograd's
/// F(2x2, 3x3), for a layer whose forward pass runs by Winograd.
///
/// The forward pass computes each 2x2 tile of outputs as y = Aᵀ[(G g Gᵀ) ⊙
/// (Bᵀ d B)]A, so dL/dg = Gᵀ[Σ_tiles (Bᵀ d B) ⊙ (A dy Aᵀ)]G: per tile the
/// input transform V (the forward pass's), the 2x2 block of dL/dz taken to
/// 4x4 as Z = A dz Aᵀ, then 16 matrix products S[ξ] += V[ξ]ᵀ · Z[ξ] (input
/// channels x tiles times tiles x filters). S is linear in the samples, so it
/// sums over the whole batch (among the step gradients, after the
/// parameters' gradients) and dL/dkernel += Gᵀ S G runs once a step
/// (`_fold`). That is 16 multiply-adds per tile, input channel and filter
/// against 36 for the direct sums (`BackwardEmitter`), whose FMA loop
/// already ran near the core's peak: only fewer operations could make it
/// faster. A's and G's last rows are negated (A = [[1, 0], [1, 1], [1, −1],
/// [0, 1]], G's last row [0, 0, −1]): each negation cancels in Gᵀ S G, and
/// no transform then negates a vector. The sums run in another order than
/// the direct form's, so dL/dkernel differs in its last bits.
struct WinogradKernelGradientEmitter: Codable, Hashable, Sendable {
    var function: String
    var inputChannels: Int
    var outputs: Int
    var outputHeight: Int
    var outputWidth: Int
    var target: TargetCPU

    var tileRows: Int { (outputHeight + 1) / 2 }
    var tileColumns: Int { (outputWidth + 1) / 2 }
    /// The padded input it reads (`WinogradKernelGradient.padding`).
    var inputHeight: Int { 2 * tileRows + 2 }
    var inputWidth: Int { 2 * tileColumns + 2 }
    /// The products' filter vectors (a whole number of them: `WinogradConvolutionEmitter.suits`).
    var lanes: Int { WeightPlan.lanes(forOutputs: outputs) }
    /// The Z and inverse transforms' vectors: with AVX2, 8 lanes, as the
    /// forward kernel's output transform (16 vectors of 16 lanes live at once
    /// would need 32 registers).
    var transformLanes: Int { target.registerLanes >= 16 ? lanes : min(8, lanes) }
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
        let perRow = 16 * tileColumns * (inputChannels + outputs)
        // At least `minimumTiles` a group: S is read and written once a group.
        let fewest = (Self.minimumTiles + tileColumns - 1) / tileColumns
        let most = max(1, min(tileRows, max(fewest, Self.groupFloats / perRow)))
        let groups = (tileRows + most - 1) / most
        return (tileRows + groups - 1) / groups
    }

    var vStride: Int { WinogradConvolutionEmitter.skewed(rowsPerGroup * tileColumns * inputChannels) }
    var zStride: Int { WinogradConvolutionEmitter.skewed(rowsPerGroup * tileColumns * outputs) }
    /// Floats of scratch: V and Z of one group.
    var scratchCount: Int { 16 * (vStride + zStride) }

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
            out.line("typealias VC = SIMD\(channelLanes)<Float>")
            out.line("typealias VK = SIMD\(transformLanes)<Float>")
            out.line("let v = s, z = s + \(16 * vStride)")
            // Group by group: V and Z stay in cache from their transforms to their products.
            out.loop("group", count: fullGroups) { out, group in
                out.line("let ty0 = \(group * rowsPerGroup)")
                emitGroup(rows: rowsPerGroup, into: &out)
            }
            if lastRows > 0 {
                out.block("do") { out in
                    out.line("let ty0 = \(fullGroups * rowsPerGroup)")
                    emitGroup(rows: lastRows, into: &out)
                }
            }
        }
        out.line()
        out.line("// dL/dkernel += Gᵀ S G, S summed over the batch")
        out.line("@inline(never)")
        out.block("static func \(function)_fold(_ sums: UnsafePointer<Float>, _ kernelGradient: UnsafeMutablePointer<Float>)") { out in
            out.line("typealias VK = SIMD\(transformLanes)<Float>")
            emitInverseTransform(into: &out)
        }
        out.line()
    }

    private func emitGroup(rows: Int, into out: inout SourceWriter) {
        let tiles = rows * tileColumns
        WinogradConvolutionEmitter.emitInputTransform(rows: rows, tileColumns: tileColumns, inputWidth: inputWidth, inputChannels: inputChannels,
                                                      channelLanes: channelLanes, vStride: vStride, into: &out)
        out.line("// dL/dz's 2x2 blocks as Z = A dz Aᵀ; past an odd output size, zeros.")
        out.block("for r in 0..<\(rows)") { out in
            out.line("let oy = 2 * (ty0 + r)")
            out.block("for tx in 0..<\(tileColumns)") { out in
                out.line("let t = r * \(tileColumns) + tx, ox = 2 * tx")
                out.block("for k in stride(from: 0, to: \(outputs), by: \(transformLanes))") { out in
                    for i in 0..<2 {
                        for j in 0..<2 {
                            let load = "dz.simd(VK.self, at: \(((Index("oy") + i) * outputWidth + Index("ox") + j) * outputs + Index("k")))"
                            let inside = WinogradConvolutionEmitter.insideOutput(row: i, column: j, outputHeight: outputHeight, outputWidth: outputWidth)
                            out.line("let d\(i)\(j) = " + (inside.map { "\($0) ? \(load) : VK()" } ?? load))
                        }
                    }
                    // A on the rows, then on the columns.
                    out.line("let e00 = d00, e01 = d01, e10 = d00 + d10, e11 = d01 + d11, e20 = d00 - d10, e21 = d01 - d11, e30 = d10, e31 = d11")
                    for i in 0..<4 {
                        let columns = ["e\(i)0", "e\(i)0 + e\(i)1", "e\(i)0 - e\(i)1", "e\(i)1"]
                        for (j, value) in columns.enumerated() {
                            out.line("z.store(\(value), at: \((i * 4 + j) * zStride) + t * \(outputs) + k)")
                        }
                    }
                }
            }
        }
        out.line("// 16 products S[ξ] += V[ξ]ᵀ · Z[ξ].")
        out.block("for xi in 0..<16") { out in
            out.line("Self.\(productName(tiles: tiles))(UnsafePointer(v + xi * \(vStride)), UnsafePointer(z + xi * \(zStride)), sums + xi * \(inputChannels * outputs))")
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

    /// dL/dkernel[a][b] += (Gᵀ S G)[a][b], G's last row negated as Z's transform has it.
    private func emitInverseTransform(into out: inout SourceWriter) {
        let matrix = inputChannels * outputs, tap = inputChannels * outputs
        out.line("// dL/dkernel += Gᵀ S G, with G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, −1]]")
        out.line("let half = VK(repeating: 0.5)")
        out.block("for at in stride(from: 0, to: \(matrix), by: \(transformLanes))") { out in
            for i in 0..<4 {
                let loads = (0..<4).map { j in "sums.simd(VK.self, at: \((i * 4 + j) * matrix) + at)" }
                out.line("let s\(i)0 = \(loads[0]), s\(i)1 = \(loads[1]), s\(i)2 = \(loads[2]), s\(i)3 = \(loads[3])")
            }
            // Gᵀ on the rows, then G on the columns.
            for j in 0..<4 {
                out.line("let t0\(j) = s0\(j) + half * (s1\(j) + s2\(j)), t1\(j) = half * (s1\(j) - s2\(j)), t2\(j) = half * (s1\(j) + s2\(j)) - s3\(j)")
            }
            for a in 0..<3 {
                let columns = ["t\(a)0 + half * (t\(a)1 + t\(a)2)", "half * (t\(a)1 - t\(a)2)", "half * (t\(a)1 + t\(a)2) - t\(a)3"]
                for (b, value) in columns.enumerated() {
                    let at = "\((a * 3 + b) * tap) + at"
                    out.line("kernelGradient.store(UnsafePointer(kernelGradient).simd(VK.self, at: \(at)) + (\(value)), at: \(at))")
                }
            }
        }
    }
}
