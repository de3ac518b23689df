/// LayerNormalization over the last axis, as Keras 3 computes it
/// (`keras.ops.layer_normalization`): at each position, over its C channels,
///
///     mean = Σx / C,  variance = Σ(x − mean)² / C   (biased, two passes, as jnp.var)
///     inv = gamma / sqrt(variance + ε),  y = x·inv + (beta − mean·inv)
///
/// in Float, in that order. Backward, with x̂ = (x − mean)/sqrt(variance + ε)
/// and dx̂ = dy·gamma (means over the position's channels):
///
///     dL/dgamma += dy·x̂,  dL/dbeta += dy,
///     dL/dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / sqrt(variance + ε)
struct LayerNormalizationEmitter: Codable, Hashable {
    var epsilon: Double
    /// Where the kernels find gamma and beta: in the packed buffer (`w`) for the
    /// forward pass, in Keras's layout (`k`, `gk`) for the backward pass; nil
    /// without `scale` (gamma) or `center` (beta).
    var gammaOffset: Int?
    var betaOffset: Int?

    /// The body of `function(x, w)` over `count` values, `channels` per position, in place.
    func emitForward(count: Int, channels: Int, into out: inout SourceWriter) {
        out.loop("position", count: count / channels) { out, position in
            out.line("let v = \((position * channels).offsetting("x"))")
            emitStatistics(channels: channels, into: &out)
            let scale = gammaOffset.map { "inverse * w[\($0) + c]" } ?? "inverse"
            let beta = betaOffset.map { " + w[\($0) + c]" } ?? ""
            out.line("for c in 0..<\(channels) { let scale = \(scale); v[c] = v[c] * scale + (-mean * scale\(beta)) }")
        }
    }

    /// `function_backward(x, k, gk, g)`: dL/dgamma and dL/dbeta added to `gk`,
    /// and dL/dy in `g` turned into dL/dx in place (each position's sums first).
    func emitBackward(function: String, layerName: String, count: Int, channels: Int, into out: inout SourceWriter) {
        out.line("// \(layerName): dL/dgamma, dL/dbeta, and dL/dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / σ at each position")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ gk: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>)") { out in
            if gammaOffset == nil && betaOffset == nil { out.line("_ = (k, gk)") } else if gammaOffset == nil { out.line("_ = k") }
            let gamma = gammaOffset.map { " * k[\($0) + c]" } ?? ""
            out.loop("position", count: count / channels) { out, position in
                out.line("let v = \((position * channels).offsetting("x")), d = \((position * channels).offsetting("g"))")
                emitStatistics(channels: channels, into: &out)
                out.line("var sum: Float = 0, product: Float = 0")
                out.block("for c in 0..<\(channels)") { out in
                    out.line("let normalized = (v[c] - mean) * inverse, scaled = d[c]\(gamma)")
                    out.line("sum += scaled; product += scaled * normalized")
                    if let gammaOffset { out.line("gk[\(gammaOffset) + c] += d[c] * normalized") }
                    if let betaOffset { out.line("gk[\(betaOffset) + c] += d[c]") }
                }
                out.line("let meanScaled = sum / \(channels), meanProduct = product / \(channels)")
                out.block("for c in 0..<\(channels)") { out in
                    out.line("let normalized = (v[c] - mean) * inverse")
                    out.line("d[c] = (d[c]\(gamma) - meanScaled - normalized * meanProduct) * inverse")
                }
            }
        }
        out.line()
    }

    /// `mean` and `inverse` = 1/sqrt(variance + ε) of the position at `v`.
    /// Channels in multiples of 8 sum in the lanes of a vector, then across
    /// them: a sum of one Float after another is a chain of dependent adds
    /// the compiler may not reorder (ConvNeXtTiny's 96 channels: 1.6 ns a
    /// value, 4% of the model). The order differs from Keras's own (XLA's)
    /// as any order would; the fixtures hold cnnc within their tolerance.
    private func emitStatistics(channels: Int, into out: inout SourceWriter) {
        if channels % 8 == 0 && channels >= 16 {
            let vector = "SIMD8<Float>"
            out.line("var totals = \(vector)(), squareLanes = \(vector)()")
            out.line("for c in stride(from: 0, to: \(channels), by: 8) { totals += v.simd(\(vector).self, at: c) }")
            out.line("let mean = totals.sum() / \(channels)")
            out.line("for c in stride(from: 0, to: \(channels), by: 8) { let difference = v.simd(\(vector).self, at: c) - mean; squareLanes += difference * difference }")
            out.line("let inverse = 1 / (squareLanes.sum() / \(channels) + Float(\(epsilon))).squareRoot()")
            return
        }
        out.line("var total: Float = 0")
        out.line(Index.loopLine("c", count: channels) { c in "total += v[\(c)]" })
        out.line("let mean = total / \(channels)")
        out.line("var squares: Float = 0")
        out.line(Index.loopLine("c", count: channels) { c in "let difference = v[\(c)] - mean; squares += difference * difference" })
        out.line("let inverse = 1 / (squares / \(channels) + Float(\(epsilon))).squareRoot()")
    }
}
