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

    /// Whether every window lies inside the input (no padding): its loops
    /// then have fixed bounds, which the compiler unrolls, and an average's
    /// divisor is a constant.
    private var windowsInside: Bool { padding == .zero }

    /// The channels of one pixel as the vectors a window is summed in: whole
    /// vectors of 16 (or 8) channels, then what is left in vectors of 8, 4, 2
    /// and a last single channel (LeNet-5's 6 channels are 4 + 2). Each
    /// channel sees the same operations in the same order whatever its piece.
    private var pieces: [(offset: Int, lanes: Int, whole: Bool)] { Self.pieces(channels: input.lastAxis) }

    static func pieces(channels: Int) -> [(offset: Int, lanes: Int, whole: Bool)] {
        let lanes = channels >= 16 ? 16 : 8
        var result = (0..<(channels / lanes)).map { (offset: $0 * lanes, lanes: lanes, whole: true) }
        var offset = channels / lanes * lanes
        for width in [8, 4, 2, 1] where channels - offset >= width {
            result.append((offset, width, false))
            offset += width
        }
        return result
    }

    func emit(into out: inout SourceWriter) {
        let (height, width, channels) = (input.dimensions[0], input.dimensions[1], input.lastAxis)
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.loop("oy", count: output.dimensions[0]) { out, oy in
                out.line("let top = \(oy * strides.height - padding.top)")
                if !windowsInside {
                    out.line("let y0 = Swift.max(top, 0), y1 = Swift.min(top + \(window.height), \(height))")
                }
                out.loop("ox", count: output.dimensions[1]) { out, ox in
                    out.line("let left = \(ox * strides.width - padding.left)")
                    if !windowsInside {
                        out.line("let x0 = Swift.max(left, 0), x1 = Swift.min(left + \(window.width), \(width))")
                    }
                    out.line("let yp = \(((oy * output.dimensions[1] + ox) * channels).offsetting("y"))")
                    if kind == .average {
                        out.line("let cells = Float(\(windowsInside ? "\(window.height * window.width)" : "(y1 - y0) * (x1 - x0)"))")
                    }
                    // Vectors of channels in registers: a scalar loop through
                    // memory that might alias did not vectorize.
                    for piece in pieces {
                        emitPiece(piece, width: width, channels: channels, into: &out)
                    }
                }
            }
        }
    }

    /// One vector of channels (or a single channel) summed or maxed over the
    /// window and stored. Whole vectors keep a max where a later cell only
    /// ties it; the rest take the later cell, as `Swift.max` does.
    private func emitPiece(_ piece: (offset: Int, lanes: Int, whole: Bool), width: Int, channels: Int, into out: inout SourceWriter) {
        let type = piece.lanes == 1 ? "Float" : "SIMD\(piece.lanes)<Float>"
        let start = kind == .max ? "-Float.infinity" : "0"
        out.block("do") { out in
            out.line("var m = \(piece.lanes == 1 ? "Float(\(start))" : "\(type)(repeating: \(start))")")
            let rows = windowsInside ? "iy in 0..<\(window.height)" : "iy in y0..<y1"
            let columns = windowsInside ? "ix in 0..<\(window.width)" : "ix in x0..<x1"
            out.block("for \(rows)") { out in
                out.block("for \(columns)") { out in
                    let pixel = windowsInside
                        ? ((Index("top") + Index("iy")) * width + Index("left") + Index("ix")) * channels
                        : (Index("iy") * width + Index("ix")) * channels
                    let pointer = PointerExpression.parenthesized(pixel.offsetting("x"))
                    out.line(piece.lanes == 1 ? "let v = \(pointer)[\(piece.offset)]" : "let v = \(pointer).simd(\(type).self, at: \(piece.offset))")
                    switch (kind, piece.lanes == 1, piece.whole) {
                    case (.average, _, _): out.line("m += v")
                    case (.max, true, _): out.line("m = Swift.max(m, v)")
                    case (.max, false, true): out.line("m = m.replacing(with: v, where: v .> m)")
                    case (.max, false, false): out.line("m = m.replacing(with: v, where: v .>= m)")
                    }
                }
            }
            let value = kind == .max ? "m" : "m / cells"
            out.line(piece.lanes == 1 ? "yp[\(piece.offset)] = \(value)" : "yp.store(\(value), at: \(piece.offset))")
        }
    }
}

/// GlobalAveragePooling2D and GlobalMaxPooling2D: one value per channel.
struct GlobalPoolingEmitter: Codable, Hashable {
    var function: String
    var kind: PoolingEmitter.Kind
    var input: TensorShape

    /// Each vector of channels (as `PoolingEmitter` splits them) summed or
    /// maxed over every position in a register, then stored: the same
    /// operations in the same order as one channel at a time through `y`,
    /// which did not vectorize (`y` might alias `x`).
    func emit(into out: inout SourceWriter) {
        let positions = input.dimensions[0] * input.dimensions[1]
        let channels = input.lastAxis
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            for piece in PoolingEmitter.pieces(channels: channels) {
                let type = piece.lanes == 1 ? "Float" : "SIMD\(piece.lanes)<Float>"
                func load(_ position: Index) -> String {
                    let at = position * channels + piece.offset
                    return piece.lanes == 1 ? "x[\(at)]" : "x.simd(\(type).self, at: \(at))"
                }
                out.block("do") { out in
                    let first = kind == .max ? 1 : 0
                    let binding = positions > first ? "var" : "let"
                    out.line(kind == .max ? "\(binding) m = \(load(Index(0)))" : (piece.lanes == 1 ? "var m = Float(0)" : "var m = \(type)(repeating: 0)"))
                    if positions > first {
                        let loop = positions - first == 1 ? "do" : "for position in \(first)..<\(positions)"
                        out.block(loop) { out in
                            out.line("let v = \(load(positions - first == 1 ? Index(first) : Index("position")))")
                            switch (kind, piece.lanes == 1) {
                            case (.average, _): out.line("m += v")
                            case (.max, true): out.line("m = Swift.max(m, v)")
                            case (.max, false): out.line("m = m.replacing(with: v, where: v .>= m)")
                            }
                        }
                    }
                    let value = kind == .max ? "m" : "m / \(positions)"
                    out.line(piece.lanes == 1 ? "y[\(piece.offset)] = \(value)" : "y.store(\(value), at: \(piece.offset))")
                }
            }
        }
    }
}
