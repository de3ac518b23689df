/// Max and average pooling over windows, and their global forms. Windows are
/// clamped to the real input per output position, which gives TensorFlow's
/// `same` semantics directly: padded cells never win a max and never count
/// in an average's divisor.
struct PoolingEmitter: Codable, Hashable {
    enum Kind: String, Codable, Hashable { case max, average }

    var function: String
    var kind: Kind
    var input: TensorShape
    var output: TensorShape
    var window: Size2D
    var strides: Size2D
    var padding: Padding2D

    func emit(into out: inout SourceWriter) {
        let (height, width, channels) = (input.dimensions[0], input.dimensions[1], input.lastAxis)
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.loop("oy", count: output.dimensions[0]) { out, oy in
                out.line("let top = \(oy * strides.height - padding.top)")
                out.line("let y0 = Swift.max(top, 0), y1 = Swift.min(top + \(window.height), \(height))")
                out.loop("ox", count: output.dimensions[1]) { out, ox in
                    out.line("let left = \(ox * strides.width - padding.left)")
                    out.line("let x0 = Swift.max(left, 0), x1 = Swift.min(left + \(window.width), \(width))")
                    out.line("let yp = \(((oy * output.dimensions[1] + ox) * channels).offsetting("y"))")
                    if kind == .average { out.line("let cells = Float((y1 - y0) * (x1 - x0))") }
                    // Whole vectors of channels in registers (the scalar loop below, through
                    // memory that might alias, did not vectorize), then any remaining channels.
                    let lanes = channels >= 16 ? 16 : 8
                    let vectorChannels = channels / lanes * lanes
                    if vectorChannels > 0 {
                        let vector = "SIMD\(lanes)<Float>"
                        out.loop("g", count: vectorChannels / lanes) { out, g in
                            out.line("var m = \(vector)(repeating: \(kind == .max ? "-Float.infinity" : "0"))")
                            out.block("for iy in y0..<y1") { out in
                                out.block("for ix in x0..<x1") { out in
                                    out.line("let v = \(PointerExpression.parenthesized(((Index("iy") * width + Index("ix")) * channels).offsetting("x"))).simd(\(vector).self, at: \(g * lanes))")
                                    out.line(kind == .max ? "m = m.replacing(with: v, where: v .> m)" : "m += v")
                                }
                            }
                            out.line("yp.store(\(kind == .max ? "m" : "m / cells"), at: \(g * lanes))")
                        }
                    }
                    if vectorChannels < channels {
                        let rest = "\(vectorChannels)..<\(channels)"
                        out.line("for c in \(rest) { yp[c] = \(kind == .max ? "-Float.infinity" : "0") }")
                        out.block("for iy in y0..<y1") { out in
                            out.block("for ix in x0..<x1") { out in
                                out.line("let xp = \(((Index("iy") * width + Index("ix")) * channels).offsetting("x"))")
                                out.line(kind == .max
                                    ? "for c in \(rest) { yp[c] = Swift.max(yp[c], xp[c]) }"
                                    : "for c in \(rest) { yp[c] += xp[c] }")
                            }
                        }
                        if kind == .average { out.line("for c in \(rest) { yp[c] /= cells }") }
                    }
                }
            }
        }
    }
}

/// GlobalAveragePooling2D and GlobalMaxPooling2D: one value per channel.
struct GlobalPoolingEmitter: Codable, Hashable {
    var function: String
    var kind: PoolingEmitter.Kind
    var input: TensorShape

    func emit(into out: inout SourceWriter) {
        let positions = input.dimensions[0] * input.dimensions[1]
        let channels = input.lastAxis
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.line(Index.loopLine("c", count: channels) { c in "y[\(c)] = \(kind == .max ? "x[\(c)]" : "0")" })
            out.block("for position in \(kind == .max ? 1 : 0)..<\(positions)") { out in
                out.line("let xp = x + position * \(channels)")
                out.line(kind == .max
                    ? "for c in 0..<\(channels) { y[c] = Swift.max(y[c], xp[c]) }"
                    : "for c in 0..<\(channels) { y[c] += xp[c] }")
            }
            if kind == .average {
                out.line(Index.loopLine("c", count: channels) { c in "y[\(c)] /= \(positions)" })
            }
        }
    }
}
