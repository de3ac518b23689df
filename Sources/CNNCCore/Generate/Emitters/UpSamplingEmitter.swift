/// UpSampling2D's forward and backward functions.
///
/// - `nearest`: y[r, c] = x[r / fh, c / fw]; dL/dx sums dL/dy over each pixel's fh x fw block.
/// - `bilinear`: y[r, c] = Σ wr·wc·x over the two rows and two columns that
///   `Resampling.bilinearTap` (the runtime's Keras 3 rule) gives for r and c;
///   dL/dx scatters each dL/dy back with the same weights.
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

    private func emitBilinear(into out: inout SourceWriter) {
        emitEveryOutputPixel(image: "x", pixels: "y", into: &out) { out in
            out.line("let upper = (1 - k.highWeight) * top[left + c] + k.highWeight * top[right + c]")
            out.line("let lower = (1 - k.highWeight) * bottom[left + c] + k.highWeight * bottom[right + c]")
            out.line("pixel[c] = (1 - r.highWeight) * upper + r.highWeight * lower")
        }
    }

    private func emitBilinearBackward(into out: inout SourceWriter) {
        let g = geometry
        out.line("dx.update(repeating: 0, count: \(g.height * g.width * g.channels))")
        emitEveryOutputPixel(image: "dx", pixels: "dy", into: &out) { out in
            out.line("let upper = (1 - r.highWeight) * pixel[c], lower = r.highWeight * pixel[c]")
            out.line("top[left + c] += (1 - k.highWeight) * upper")
            out.line("top[right + c] += k.highWeight * upper")
            out.line("bottom[left + c] += (1 - k.highWeight) * lower")
            out.line("bottom[right + c] += k.highWeight * lower")
        }
    }

    /// The loops of both bilinear passes, `perChannel` inside: each output
    /// pixel (`pixel`, in `pixels`) with its two rows of `image`, `top` and
    /// `bottom` (weight `r.highWeight` on the bottom), and its two columns
    /// there, `left` and `right` (weight `k.highWeight` on the right).
    private func emitEveryOutputPixel(image: String, pixels: String, into out: inout SourceWriter,
                                      perChannel: (inout SourceWriter) -> Void) {
        let g = geometry
        out.block("for row in 0..<\(g.outputHeight)") { out in
            out.line("let r = Resampling.bilinearTap(row, factor: \(config.size.height), size: \(g.height))")
            out.line("let (top, bottom) = (\(image) + r.low * \(g.width * g.channels), \(image) + r.high * \(g.width * g.channels))")
            out.block("for column in 0..<\(g.outputWidth)") { out in
                out.line("let k = Resampling.bilinearTap(column, factor: \(config.size.width), size: \(g.width))")
                out.line("let (left, right) = (k.low * \(g.channels), k.high * \(g.channels))")
                out.line("let pixel = \(pixels) + (row * \(g.outputWidth) + column) * \(g.channels)")
                out.block("for c in 0..<\(g.channels)") { out in perChannel(&out) }
            }
        }
    }
}
