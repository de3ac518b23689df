/// UpSampling2D's forward and backward functions.
///
/// - `nearest`: y[r, c] = x[r / fh, c / fw]; dL/dx sums dL/dy over each pixel's fh x fw block.
/// - `bilinear`: y[r, c] = Σ wr·wc·x over the two rows and two columns that
///   `BilinearPhase` (Keras 3's rule) gives for r and c; dL/dx scatters each
///   dL/dy back with the same weights.
struct UpSamplingEmitter: Codable, Hashable {
    var function: String
    var input: TensorShape
    var config: UpSampling2DConfig

    private var geometry: (height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int) {
        let (height, width) = (input.dimensions[0], input.dimensions[1])
        return (height, width, input.lastAxis, height * config.size.height, width * config.size.width)
    }

    /// `function(x, y)`.
    func emit(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            switch config.interpolation {
            case .nearest: emitNearest(into: &out)
            case .bilinear: emitBilinear(into: &out)
            }
        }
    }

    /// `function_backward(dy, dx)`.
    func emitBackward(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>)") { out in
            switch config.interpolation {
            case .nearest: emitNearestBackward(into: &out)
            case .bilinear: emitBilinearBackward(into: &out)
            }
        }
    }

    /// Each input row becomes one output row of repeated pixels, copied fh − 1 times below.
    private func emitNearest(into out: inout SourceWriter) {
        let g = geometry
        let outputRow = g.outputWidth * g.channels
        out.loop("row", count: g.height) { out, row in
            out.line("let source = \((row * (g.width * g.channels)).offsetting("x"))")
            out.line("let target = \((row * (config.size.height * outputRow)).offsetting("y"))")
            out.loops([("column", g.width), ("copy", config.size.width)]) { out, index in
                let (column, copy) = (index[0], index[1])
                let into = PointerExpression.parenthesized(((column * config.size.width + copy) * g.channels).offsetting("target"))
                out.line("\(into).update(from: \((column * g.channels).offsetting("source")), count: \(g.channels))")
            }
            if config.size.height > 1 {
                out.block("for copy in 1..<\(config.size.height)") { out in
                    out.line("(target + copy * \(outputRow)).update(from: target, count: \(outputRow))")
                }
            }
        }
    }

    private func emitNearestBackward(into out: inout SourceWriter) {
        let g = geometry
        out.loops([("row", g.height), ("column", g.width)]) { out, pixel in
            let (row, column) = (pixel[0], pixel[1])
            out.line("let target = \(((row * g.width + column) * g.channels).offsetting("dx"))")
            out.line("target.update(repeating: 0, count: \(g.channels))")
            out.loops([("down", config.size.height), ("across", config.size.width)]) { out, share in
                let (down, across) = (share[0], share[1])
                out.line("let source = \((((row * config.size.height + down) * g.outputWidth + column * config.size.width + across) * g.channels).offsetting("dy"))")
                out.line(Index.loopLine("c", count: g.channels) { c in "target[\(c)] += source[\(c)]" })
            }
        }
    }

    /// Each output row from its two input rows, by a nested function `row`
    /// called once for each of the factor's row phases of every input row.
    /// The sums are the ones Keras's formula gives, in its order: a row's
    /// two columns first (`upper`, `lower`), then the two rows, a vector of
    /// channels at a time, with the weights constants of the generated code.
    /// With the taps and weights worked out per output pixel at run time (a
    /// division, a floor and two clamps), unet's 8x8x16 → 16x16 layer took
    /// 1.29 µs, 15% of the model (Zen 5).
    private func emitBilinear(into out: inout SourceWriter) {
        out.line("/// Output row `out` from input rows `top` and `bottom`, weighing them `up` and `down`.")
        emitRowFunction(image: "UnsafePointer<Float>", pixels: "UnsafeMutablePointer<Float>", into: &out) { out, piece, phase, left, right, pixel in
            let (t, v) = (Self.suffix(piece), Self.vector(piece.lanes))
            out.line("let upper: \(v) = low\(phase)\(t) * \(Self.load(piece, "top", at: left)) + high\(phase)\(t) * \(Self.load(piece, "top", at: right))")
            out.line("let lower: \(v) = low\(phase)\(t) * \(Self.load(piece, "bottom", at: left)) + high\(phase)\(t) * \(Self.load(piece, "bottom", at: right))")
            out.line(piece.store("up\(t) * upper + down\(t) * lower", to: pixel))
        }
        eachOutputRow(image: "x", pixels: "y", into: &out)
    }

    /// dL/dx: each output pixel's dL/dy scattered back to its four input
    /// pixels with the forward pass's weights, pixel by pixel in the forward
    /// order, and a pixel's four updates one after the other (at an edge two
    /// of them, or all four, are the same input pixel).
    private func emitBilinearBackward(into out: inout SourceWriter) {
        let g = geometry
        out.line("dx.update(repeating: 0, count: \(g.height * g.width * g.channels))")
        out.line("/// Output row `out`'s gradient into input rows `top` and `bottom`, weighing them `up` and `down`.")
        emitRowFunction(image: "UnsafeMutablePointer<Float>", pixels: "UnsafePointer<Float>", into: &out) { out, piece, phase, left, right, pixel in
            let (t, v) = (Self.suffix(piece), Self.vector(piece.lanes))
            /// `pointer`'s piece at `column` plus `weight` times `value`, in place.
            func add(_ pointer: String, _ column: String, _ weight: String, _ value: String) -> String {
                let place = Index(column) + piece.offset
                return piece.lanes == 1 ? "\(pointer)[\(place)] += \(weight) * \(value)"
                    : "\(pointer).store(\(Self.load(piece, pointer, at: column)) + \(weight) * \(value), at: \(place))"
            }
            out.line("let gradient: \(v) = \(Self.load(piece, pixel, at: nil))")
            out.line("let upper: \(v) = up\(t) * gradient, lower: \(v) = down\(t) * gradient")
            out.line(add("top", left, "low\(phase)\(t)", "upper"))
            out.line(add("top", right, "high\(phase)\(t)", "upper"))
            out.line(add("bottom", left, "low\(phase)\(t)", "lower"))
            out.line(add("bottom", right, "high\(phase)\(t)", "lower"))
        }
        eachOutputRow(image: "dx", pixels: "dy", into: &out)
    }

    /// The nested function `row(top, bottom, up, down, out)` of both bilinear
    /// passes: its weights, then `perPiece` in a `do` for each piece of
    /// channels of each output column (phase, `left` and `right` columns' offsets, pixel).
    private func emitRowFunction(image: String, pixels: String, into out: inout SourceWriter,
                                 _ perPiece: (inout SourceWriter, PoolingEmitter.Piece, _ phase: Int, _ left: String, _ right: String, _ pixel: String) -> Void) {
        let channels = geometry.channels
        out.block("func row(_ top: \(image), _ bottom: \(image), _ up: Float, _ down: Float, _ out: \(pixels))") { out in
            declareWeights(PoolingEmitter.pieces(channels: channels), into: &out)
            eachOutputColumn(into: &out) { out, phase, left, right, pixel in
                PoolingEmitter.emitPieces(channels: channels, into: &out) { piece, out in
                    out.block("do") { out in perPiece(&out, piece, phase, left, right, pixel) }
                }
            }
        }
    }

    /// The suffix of a weight's name for `piece`'s width: `_16`, or nothing for a Float.
    private static func suffix(_ piece: PoolingEmitter.Piece) -> String { piece.lanes == 1 ? "" : "_\(piece.lanes)" }

    /// `piece`'s channels of the pixel `column` floats into `pointer` (nil: at `pointer`).
    private static func load(_ piece: PoolingEmitter.Piece, _ pointer: String, at column: String?) -> String {
        let place = column.map { Index($0) + piece.offset } ?? piece.offset
        return piece.lanes == 1 ? "\(pointer)[\(place)]" : "\(pointer).\(VectorTypes.load(VectorTypes.name(piece.lanes)))(at: \(place))"
    }

    /// `V16` for 16 lanes, `Float` for one.
    private static func vector(_ lanes: Int) -> String { lanes == 1 ? "Float" : VectorTypes.name(lanes) }

    /// In `row`: the row weights as vectors of each piece's width (`up_16`),
    /// and each column phase's weights (`low0_16`, `high0_16`; `low0` as a Float).
    private func declareWeights(_ pieces: [PoolingEmitter.Piece], into out: inout SourceWriter) {
        let widths = Array(Set(pieces.map(\.lanes))).sorted(by: >)
        for lanes in widths where lanes > 1 {
            out.line("let (up_\(lanes), down_\(lanes)) = (\(VectorTypes.name(lanes))(repeating: up), \(VectorTypes.name(lanes))(repeating: down))")
        }
        for (phase, tap) in BilinearPhase.phases(factor: config.size.width).enumerated() {
            for lanes in widths {
                let t = lanes == 1 ? "" : "_\(lanes)"
                let (low, high) = lanes == 1 ? ("Float(\(tap.lowWeight))", "Float(\(tap.highWeight))")
                    : ("\(VectorTypes.name(lanes))(repeating: \(tap.lowWeight))", "\(VectorTypes.name(lanes))(repeating: \(tap.highWeight))")
                out.line("let (low\(phase)\(t), high\(phase)\(t)) = (\(low), \(high))")
            }
        }
    }

    /// In `row`: each output column, as an input column `column` and the
    /// factor's phases written out, with its two input columns' offsets
    /// (`left`, `right`, clamped to the image) and its pixel in `out`.
    private func eachOutputColumn(into out: inout SourceWriter,
                                  _ body: (inout SourceWriter, _ phase: Int, _ left: String, _ right: String, _ pixel: String) -> Void) {
        let g = geometry
        let factor = config.size.width
        out.loop("column", count: g.width) { out, column in
            for (phase, tap) in BilinearPhase.phases(factor: factor).enumerated() {
                let (left, right) = tap.neighbours(of: column, size: g.width)
                out.block("do") { out in
                    out.line("let left = \(left) * \(g.channels), right = \(right) * \(g.channels)")
                    out.line("let pixel = \(((column * factor + phase) * g.channels).offsetting("out"))")
                    body(&out, phase, "left", "right", "pixel")
                }
            }
        }
    }

    /// The calls of `row` for every output row, an input row `inputRow` and
    /// the factor's phases written out: rows of `image` and the row of `pixels`.
    private func eachOutputRow(image: String, pixels: String, into out: inout SourceWriter) {
        let g = geometry
        let (factor, inputRow, outputRow) = (config.size.height, g.width * g.channels, g.outputWidth * g.channels)
        out.loop("inputRow", count: g.height) { out, row in
            for (phase, tap) in BilinearPhase.phases(factor: factor).enumerated() {
                let (top, bottom) = tap.neighbours(of: row, size: g.height)
                out.line("row(\(image) + \(top) * \(inputRow), \(image) + \(bottom) * \(inputRow), \(tap.lowWeight), \(tap.highWeight), \(((row * factor + phase) * outputRow).offsetting(pixels)))")
            }
        }
    }
}

/// Output index i·factor + phase of an axis enlarged `factor` times samples
/// the input at p = i + (phase + ½)/factor − ½ (half-pixel centers, as Keras
/// 3's UpSampling2D computes it through `jax.image.resize`): between input
/// indices i − 1 and i for the phases before the middle, i and i + 1 from it
/// on, the nearer one weighing more. A neighbour outside the image is the
/// edge pixel (jax drops it and gives the other its weight: the same).
struct BilinearPhase {
    /// Whether the phase's lower neighbour is i − 1 (else i, its upper i + 1).
    var reachesBack: Bool
    /// The upper neighbour's weight, rounded once from the exact fraction.
    var highWeight: Float
    /// 1 − highWeight, as the forward sum has always computed it in Float.
    var lowWeight: Float { 1 - highWeight }

    static func phases(factor: Int) -> [BilinearPhase] {
        (0..<factor).map { phase in
            // p − i = (2·phase + 1 − factor) / (2·factor): negative before the middle.
            let twice = 2 * phase + 1 - factor
            return twice < 0
                ? BilinearPhase(reachesBack: true, highWeight: Float(Double(2 * factor + twice) / Double(2 * factor)))
                : BilinearPhase(reachesBack: false, highWeight: Float(Double(twice) / Double(2 * factor)))
        }
    }

    /// The two input indices (expressions of generated code) that output
    /// index `index`·factor + this phase reads on an axis of `size`.
    func neighbours(of index: Index, size: Int) -> (low: String, high: String) {
        if let value = index.constantValue {
            return reachesBack ? ("\(Swift.max(value - 1, 0))", "\(value)") : ("\(value)", "\(Swift.min(value + 1, size - 1))")
        }
        return reachesBack ? ("Swift.max(\(index - 1), 0)", "\(index)") : ("\(index)", "Swift.min(\(index + 1), \(size - 1))")
    }
}
