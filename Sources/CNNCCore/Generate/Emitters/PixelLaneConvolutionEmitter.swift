/// Emits a Conv2D on a one-channel input with few filters (a first layer on
/// grey images, such as LeNet-5's 6 filters) with output *pixels* in SIMD
/// lanes: 16 (or 8) neighbouring pixels of a row per pass, one accumulator per
/// filter. With channels in lanes such a layer wastes lanes (6 of 8) and needs
/// one broadcast per pixel and tap; here each tap is one contiguous load of the
/// input row, shared by every filter, and one broadcast weight per filter.
/// The last pass of a row overlaps the one before, so any width of at least
/// one vector works without a scalar tail (overlapped pixels are computed
/// twice, to the same bits).
struct PixelLaneConvolutionEmitter: Codable, Hashable {
    var function: String
    var inputWidth: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    var fusedReLU: Bool

    /// Whether this layout suits the layer: one input channel, neighbouring
    /// output pixels neighbours in the input (stride 1 across), at most 8
    /// filters (beyond, channels fill whole vectors), a row of at least 8.
    static func suits(inputChannels: Int, strides: Size2D, outputs: Int, outputWidth: Int) -> Bool {
        inputChannels == 1 && strides.width == 1 && outputs <= 8 && outputWidth >= 8
    }

    /// 16 pixels a pass for every target. With AVX2, 7 or 8 filters at SIMD16
    /// need a register or three more than the 16, but the SIMD8 form is worse:
    /// measured on LeNet-5's first layer compiled for haswell, LLVM turns its
    /// broadcasts and lane stores into shuffles, 50 µs against 11.5 µs.
    var lanes: Int { outputWidth >= 16 ? 16 : 8 }
    /// Rows of output: a call can be limited to a range of them (see `ConvolutionEmitter.parts`).
    var parts: Int { outputHeight }

    func emit(into out: inout SourceWriter) {
        let outputs = packed.outputs
        let blocks = (outputWidth + lanes - 1) / lanes
        let lastStart = outputWidth - lanes
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ parts: Range<Int> = 0..<\(parts))") { out in
            out.line("typealias V = SIMD\(lanes)<Float>")
            out.line(packed.namedParts(biasUsed: true))
            out.line("// Output pixels in lanes: \(lanes) neighbours of a row per pass, one accumulator per filter.")
            out.block("for oy in parts") { out in
                out.loop("block", count: blocks) { out, block in
                    out.line("let ox = \(block.constantValue.map { "\(Swift.min($0 * lanes, lastStart))" } ?? "Swift.min(block * \(lanes), \(lastStart))")")
                    for co in 0..<outputs {
                        out.line("var s\(co) = V(repeating: bias[\(co)])")
                    }
                    out.loops([("ky", kernel.height), ("kx", kernel.width)]) { out, tap in
                        let (ky, kx) = (tap[0], tap[1])
                        let row = (Index("oy") * strides.height + ky * dilation.height) * inputWidth
                        out.line("let xv = x.simd(V.self, at: \(row + Index("ox") + kx * dilation.width))")
                        out.line("let wp = \(((ky * kernel.width + kx) * packed.paddedOutputs).offsetting("kernel"))")
                        for co in 0..<outputs {
                            out.line("s\(co) = madd(s\(co), xv, V(repeating: wp[\(co)]))")
                        }
                    }
                    if fusedReLU {
                        for co in 0..<outputs { out.line("s\(co) = s\(co).replacing(with: 0, where: s\(co) .< 0)") }
                    }
                    out.line("let yp = y + (oy * \(outputWidth) + ox) * \(outputs)")
                    let stores = (0..<outputs).map { "p[\($0)] = s\($0)[lane]" }.joined(separator: "; ")
                    out.line("for lane in 0..<\(lanes) { let p = yp + lane * \(outputs); \(stores) }")
                }
            }
        }
    }
}
