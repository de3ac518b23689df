/// Emits DepthwiseConv2D as specialized Swift. Each output channel reads one
/// input channel, so there is no sum over channels: a depthwise layer does a
/// kernel window's multiply-adds per output value and is bound by memory, not
/// by arithmetic. With one filter per channel (`depth_multiplier` 1, what
/// MobileNet and EfficientNet use) channels sit in SIMD lanes: a block of
/// neighbouring output pixels shares each kernel row's weight vectors and
/// each input vector it loads, read straight from the (already padded) input.
/// Bias and ReLU are fused into the store, as in `ConvolutionEmitter`.
/// Other multipliers take a scalar loop with constant bounds.
struct DepthwiseConvolutionEmitter: Codable, Hashable {
    var function: String
    var inputWidth: Int
    var inputChannels: Int
    var depthMultiplier: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    /// Packed as a kernel of one row per tap (see `WeightPlan`).
    var packed: WeightPlan.PackedKernel
    var fusedReLU: Bool
    /// The layers after it that run in its store at inference (`EpilogueFusion`).
    var epilogue: StoreEpilogue? = nil

    var lanes: Int { packed.lanes }
    var outputs: Int { packed.outputs }
    /// Rows of output: what a call can be limited to, as `ConvolutionEmitter` does.
    var parts: Int { outputHeight }

    /// Output pixels per block: one accumulator each, plus a weight vector,
    /// within AVX2's 16 registers for SIMD16 (two registers a vector) as well as SIMD8.
    var pixelsPerBlock: Int { max(1, min(lanes == 16 ? 4 : 6, outputWidth)) }

    func emit(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>\(epilogue?.parameter ?? ""), _ parts: Range<Int> = 0..<\(parts))") { out in
            out.line(packed.namedParts(biasUsed: true))
            if depthMultiplier == 1 {
                emitChannelLanes(into: &out)
            } else {
                emitScalar(into: &out)
            }
        }
    }

    private var rowStride: Int { inputWidth * inputChannels }

    /// Channels in lanes: whole vectors of channels in a loop, then the channels
    /// left over (fewer than a vector) lane by lane, so no load reads past a pixel.
    private func emitChannelLanes(into out: inout SourceWriter) {
        out.line("typealias V = SIMD\(lanes)<Float>")
        let wholeVectors = inputChannels / lanes
        let runs = ConvolutionEmitter.pixelRuns(width: outputWidth, atMost: pixelsPerBlock)
        out.block("for oy in parts") { out in
            if wholeVectors > 0 {
                out.block("for c0 in stride(from: 0, to: \(wholeVectors * lanes), by: \(lanes))") { out in
                    ConvolutionEmitter.emitRow(runs, into: &out) { out, ox, pixels in
                        emitBlock(pixels: pixels, channels: lanes, channelBase: Index("c0"), ox: ox, into: &out)
                    }
                }
            }
            let rest = inputChannels - wholeVectors * lanes
            if rest > 0 {
                out.line("// The last \(rest) channel\(rest == 1 ? "" : "s"), lane by lane.")
                out.block("do") { out in
                    ConvolutionEmitter.emitRow(runs, into: &out) { out, ox, pixels in
                        emitBlock(pixels: pixels, channels: rest, channelBase: Index(wholeVectors * lanes), ox: ox, into: &out)
                    }
                }
            }
        }
    }

    /// `pixels` neighbouring output pixels x one vector of channels from `c0`,
    /// of which `channels` are real. A kernel row's taps of neighbouring pixels
    /// overlap (pixel p's tap kx reads input column p·stride + kx·dilation), so
    /// each input column of the row is loaded once and feeds every pixel that
    /// reads it: a 3-wide row over 4 pixels loads 6 input vectors, not 12. The
    /// row's weights stay in registers. Columns go left to right, so each
    /// pixel still adds its taps in kx order.
    private func emitBlock(pixels: Int, channels: Int, channelBase c0: Index, ox: Index, into out: inout SourceWriter) {
        let whole = channels == lanes
        let oy = Index("oy")
        out.line("let yp = \(((oy * outputWidth + ox) * outputs + c0).offsetting("y"))")
        for p in 0..<pixels {
            out.line("var s\(p) = bias.simd(V.self, at: \(c0))")
        }
        // Which (pixel, tap) pairs read each input column of a row, by column.
        var readers: [Int: [(pixel: Int, tap: Int)]] = [:]
        for p in 0..<pixels {
            for kx in 0..<kernel.width { readers[p * strides.width + kx * dilation.width, default: []].append((p, kx)) }
        }
        // Kernel rows: a constant trip count; the columns are written out.
        out.loop("ky", count: kernel.height) { out, ky in
            out.line("let xr = \(((oy * strides.height + ky * dilation.height) * rowStride + ox * (strides.width * inputChannels) + c0).offsetting("x"))")
            out.line("let wr = \((ky * (kernel.width * packed.paddedOutputs) + c0).offsetting("kernel"))")
            for kx in 0..<kernel.width {
                out.line("let w\(kx) = wr.simd(V.self, at: \(kx * packed.paddedOutputs))")
            }
            for column in readers.keys.sorted() {
                let at = column * inputChannels
                if whole {
                    out.line("let i\(column) = xr.simd(V.self, at: \(at))")
                } else {
                    out.line("var i\(column) = V(); " + Index.loopLine("lane", count: channels) { lane in "i\(column)[\(lane)] = xr[\(lane + at)]" })
                }
                for (p, kx) in readers[column]! {
                    out.line("s\(p) = madd(s\(p), i\(column), w\(kx))")
                }
            }
        }
        for p in 0..<pixels {
            var value = fusedReLU ? "s\(p).replacing(with: 0, where: s\(p) .< 0)" : "s\(p)"
            if let epilogue {
                value = epilogue.apply(to: value, name: "e\(p)", vector: "V", lanes: lanes, channel: c0, existing: channels, into: &out)
            }
            if whole {
                out.line("yp.store(\(value), at: \(p * outputs))")
            } else {
                out.line("do { let v = \(value); " + Index.loopLine("lane", count: channels) { lane in "yp[\(lane + p * outputs)] = v[\(lane)]" } + " }")
            }
        }
    }

    /// Output channel c·m + j from input channel c, one value at a time.
    private func emitScalar(into out: inout SourceWriter) {
        out.block("for oy in parts") { out in
            out.loop("ox", count: outputWidth) { out, ox in
                let oy = Index("oy")
                out.line("let yp = \(((oy * outputWidth + ox) * outputs).offsetting("y"))")
                out.loops([("c", inputChannels), ("j", depthMultiplier)]) { out, index in
                    let (c, j) = (index[0], index[1])
                    out.line("let o = \(c * depthMultiplier + j)")
                    out.line("var s = bias[o]")
                    out.loops([("ky", kernel.height), ("kx", kernel.width)]) { out, tap in
                        let (ky, kx) = (tap[0], tap[1])
                        out.line("let at = \((oy * strides.height + ky * dilation.height) * rowStride + (ox * strides.width + kx * dilation.width) * inputChannels + c)")
                        out.line("s += x[at] * kernel[\((ky * kernel.width + kx) * packed.paddedOutputs + Index("o"))]")
                    }
                    out.line(fusedReLU ? "yp[o] = Swift.max(s, 0)" : "yp[o] = s")
                }
            }
        }
    }
}
