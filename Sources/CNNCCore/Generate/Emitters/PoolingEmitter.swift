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

    /// A run of a pixel's channels summed or maxed in one register: a vector
    /// of `lanes` floats, or a single Float.
    struct Piece {
        /// The first channel: a constant, or the loop variable `channel` of a run of whole vectors.
        var offset: Index
        var lanes: Int
        /// One of the whole vectors of 16 (or 8) channels, rather than what was left over.
        var whole: Bool

        var type: String { lanes == 1 ? "Float" : "SIMD\(lanes)<Float>" }

        /// This piece's channels at `pixel` floats into `pointer`.
        func load(_ pointer: String, at pixel: Index) -> String {
            lanes == 1 ? "\(pointer)[\(pixel + offset)]" : "\(pointer).simd(\(type).self, at: \(pixel + offset))"
        }

        /// `value` written to this piece's channels of `pointer`.
        func store(_ value: String, to pointer: String) -> String {
            lanes == 1 ? "\(pointer)[\(offset)] = \(value)" : "\(pointer).store(\(value), at: \(offset))"
        }

        /// The register before the first cell: 0 for a sum, −∞ for a max.
        func initial(_ kind: Kind) -> String {
            let start = kind == .max ? "-Float.infinity" : "0"
            return lanes == 1 ? "Float(\(start))" : "\(type)(repeating: \(start))"
        }

        /// `m` combined with the next cell `v`. A max that `keepsTies` keeps
        /// `m` where `v` only equals it; otherwise it takes `v`, as `Swift.max` does.
        func step(_ kind: Kind, keepsTies: Bool) -> String {
            switch (kind, lanes == 1) {
            case (.average, _): "m += v"
            case (.max, true): "m = Swift.max(m, v)"
            case (.max, false): "m = m.replacing(with: v, where: v \(keepsTies ? ".>" : ".>=") m)"
            }
        }
    }

    /// The channels of one pixel as the vectors a window is summed in: whole
    /// vectors of 16 (or 8) channels, then what is left in vectors of 8, 4, 2
    /// and a last single channel (LeNet-5's 6 channels are 4 + 2). Each
    /// channel sees the same operations in the same order whatever its piece.
    static func pieces(channels: Int) -> [Piece] {
        let lanes = channels >= 16 ? 16 : 8
        var result = (0..<(channels / lanes)).map { Piece(offset: Index($0 * lanes), lanes: lanes, whole: true) }
        var offset = channels / lanes * lanes
        for width in [8, 4, 2, 1] where channels - offset >= width {
            result.append(Piece(offset: Index(offset), lanes: width, whole: false))
            offset += width
        }
        return result
    }

    /// `emitPiece` for each piece of `channels`, the whole vectors in a loop
    /// over `channel` where there are several: written out one by one, global
    /// pooling over ResNet50V2's 2048 channels was a function of 1,029 lines
    /// (128 registers' worth of locals for the compiler to sort out), where
    /// the loop is the same operations in the same order.
    static func emitPieces(channels: Int, into out: inout SourceWriter, _ emitPiece: (Piece, inout SourceWriter) -> Void) {
        let pieces = Self.pieces(channels: channels)
        let whole = pieces.filter(\.whole)
        if whole.count > 1 {
            let lanes = whole[0].lanes
            out.block("for channel in stride(from: 0, to: \(whole.count * lanes), by: \(lanes))") { out in
                emitPiece(Piece(offset: Index("channel"), lanes: lanes, whole: true), &out)
            }
        } else {
            for piece in whole { emitPiece(piece, &out) }
        }
        for piece in pieces where !piece.whole { emitPiece(piece, &out) }
    }

    /// A stretch of output positions along one axis whose windows, clamped
    /// to the input, keep the same cells (`cells`, offsets from the window's
    /// unclamped start): the positions whose windows lie inside the input form
    /// one run, each one near an edge a run of its own.
    struct AxisRun: Equatable {
        var first: Int
        var count: Int
        /// nil: each position's own cells, worked out as the loop runs.
        var cells: Range<Int>?

        /// More runs than this on an axis (a large window with `same`
        /// padding, nearly every position an edge of its own) make one run
        /// whose cells are worked out position by position: a 32x32 window
        /// over 32x32 pixels would otherwise be 1,024 loop nests.
        static let mostRuns = 8

        static func runs(outputs: Int, inputs: Int, window: Int, stride: Int, before: Int) -> [AxisRun] {
            var result: [AxisRun] = []
            for position in 0..<outputs {
                let start = position * stride - before
                let cells = Swift.max(0, -start)..<Swift.max(Swift.max(0, -start), Swift.min(window, inputs - start))
                if let last = result.last, last.cells == cells, last.first + last.count == position {
                    result[result.count - 1].count += 1
                } else {
                    result.append(AxisRun(first: position, count: 1, cells: cells))
                }
            }
            return result.count > mostRuns ? [AxisRun(first: 0, count: outputs, cells: nil)] : result
        }
    }

    /// An axis's cells for one run: constant, or for a run with `cells` nil
    /// the names of the bounds worked out at each position.
    enum Cells {
        case fixed(Range<Int>)
        case worked(lower: String, upper: String)

        /// The loop over them, `variable` the cell; a constant where there is one cell.
        func header(_ variable: String) -> (line: String, cell: Index) {
            switch self {
            case .fixed(let range) where range.count == 1: ("do", Index(range.lowerBound))
            case .fixed(let range): ("for \(variable) in \(range.lowerBound)..<\(range.upperBound)", Index(variable))
            case .worked(let lower, let upper): ("for \(variable) in \(lower)..<\(upper)", Index(variable))
            }
        }

        /// How many there are: a number, or an expression of the bounds.
        var count: String {
            switch self {
            case .fixed(let range): "\(range.count)"
            case .worked(let lower, let upper): "(\(upper) - \(lower))"
            }
        }
    }

    /// The output in rectangles of positions whose windows keep the same
    /// cells (`AxisRun`), each a loop nest with constant bounds down to the
    /// window's own loops, which the compiler unrolls. Bounds computed per
    /// position, as this kernel had them, left a 3x3 max pooling over 16x16x32
    /// at 2.9 µs: a loop of two or three trips per window row, mispredicted at
    /// every edge, around a chain of nine dependent maxima. The cells are
    /// visited in the same order, row by row, so the result is the same.
    func emit(into out: inout SourceWriter) {
        let (height, width, channels) = (input.dimensions[0], input.dimensions[1], input.lastAxis)
        let rows = AxisRun.runs(outputs: output.dimensions[0], inputs: height, window: window.height, stride: strides.height, before: padding.top)
        let columns = AxisRun.runs(outputs: output.dimensions[1], inputs: width, window: window.width, stride: strides.width, before: padding.left)
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            for row in rows {
                Self.loop("oy", over: row, into: &out) { out, oy in
                    let rowCells = Self.cells(of: row, at: oy, names: ("y0", "y1"), inputs: height, window: window.height,
                                              stride: strides.height, before: padding.top, into: &out)
                    for column in columns {
                        Self.loop("ox", over: column, into: &out) { out, ox in
                            let columnCells = Self.cells(of: column, at: ox, names: ("x0", "x1"), inputs: width, window: window.width,
                                                         stride: strides.width, before: padding.left, into: &out)
                            out.line("let yp = \(((oy * output.dimensions[1] + ox) * channels).offsetting("y"))")
                            // Vectors of channels in registers: a scalar loop through
                            // memory that might alias did not vectorize.
                            Self.emitPieces(channels: channels, into: &out) { piece, out in
                                let corner = ((oy * strides.height - padding.top) * width + ox * strides.width - padding.left) * channels
                                emitPiece(piece, corner: corner, rows: rowCells, columns: columnCells,
                                          width: width, channels: channels, into: &out)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `for variable in run`, the body given the position as an `Index` (a constant for a run of one).
    private static func loop(_ variable: String, over run: AxisRun, into out: inout SourceWriter, _ body: (inout SourceWriter, Index) -> Void) {
        if run.count == 1 {
            out.block("do") { out in body(&out, Index(run.first)) }
        } else {
            out.block("for \(variable) in \(run.first)..<\(run.first + run.count)") { out in body(&out, Index(variable)) }
        }
    }

    /// A run's cells at `position`: its constant ones, or the bounds of the
    /// position's own, declared as `names` (never a reversed range).
    private static func cells(of run: AxisRun, at position: Index, names: (String, String), inputs: Int, window: Int, stride: Int, before: Int,
                              into out: inout SourceWriter) -> Cells {
        if let cells = run.cells { return .fixed(cells) }
        let start = "(\(position * stride - before))"
        out.line("let \(names.0) = Swift.max(0, -\(start)), \(names.1) = Swift.max(\(names.0), Swift.min(\(window), \(inputs) - \(start)))")
        return .worked(lower: names.0, upper: names.1)
    }

    /// One vector of channels (or a single channel) summed or maxed over the
    /// window's cells `rows` x `columns` (offsets from `corner`, the window's
    /// unclamped top left, in floats) and stored. Whole vectors keep a max
    /// where a later cell only ties it; the rest take the later cell, as
    /// `Swift.max` does.
    private func emitPiece(_ piece: Piece, corner: Index, rows: Cells, columns: Cells, width: Int, channels: Int,
                           into out: inout SourceWriter) {
        out.block("do") { out in
            out.line("var m = \(piece.initial(kind))")
            let (rowLoop, iy) = rows.header("iy"), (columnLoop, ix) = columns.header("ix")
            out.block(rowLoop) { out in
                out.block(columnLoop) { out in
                    let cell = corner + (iy * width + ix) * channels
                    out.line("let v = \(piece.load("x", at: cell))")
                    out.line(piece.step(kind, keepsTies: piece.whole))
                }
            }
            let divisor: String
            if case .fixed(let r) = rows, case .fixed(let c) = columns {
                divisor = "\(r.count * c.count)"
            } else {
                divisor = "Float(\(rows.count) * \(columns.count))"
            }
            out.line(piece.store(kind == .max ? "m" : "m / \(divisor)", to: "yp"))
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
            PoolingEmitter.emitPieces(channels: channels, into: &out) { piece, out in
                out.block("do") { out in
                    // A max starts from the first position, a sum from 0.
                    let first = kind == .max ? 1 : 0
                    let binding = positions > first ? "var" : "let"
                    out.line("\(binding) m = \(kind == .max ? piece.load("x", at: Index(0)) : piece.initial(kind))")
                    if positions > first {
                        // One remaining position is written without a loop (no `for position in 1..<2`).
                        let single = positions - first == 1
                        out.block(single ? "do" : "for position in \(first)..<\(positions)") { out in
                            out.line("let v = \(piece.load("x", at: (single ? Index(first) : Index("position")) * channels))")
                            out.line(piece.step(kind, keepsTies: false))
                        }
                    }
                    out.line(piece.store(kind == .max ? "m" : "m / \(positions)", to: "y"))
                }
            }
        }
    }
}
