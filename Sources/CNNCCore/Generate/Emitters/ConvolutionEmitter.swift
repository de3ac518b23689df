/// Emits Conv2D and Dense (a Dense layer is a 1x1 convolution over its
/// positions) as specialized Swift: every size a constant, output channels in
/// SIMD lanes, a block of output pixels per pass so each weight vector loaded
/// is used several times from registers, bias and ReLU fused into the store.
/// The input is already padded (see `PaddingEmitter`), so no tap checks bounds.
struct ConvolutionEmitter {
    var function: String
    var inputHeight: Int
    var inputWidth: Int
    var inputChannels: Int
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    var outputHeight: Int
    var outputWidth: Int
    var packed: WeightPlan.PackedKernel
    /// ReLU and linear are fused into the store; others run as a separate pass.
    var fusedReLU: Bool

    var lanes: Int { packed.lanes }
    var vectorType: String { "SIMD\(lanes)<Float>" }
    var outputs: Int { packed.outputs }
    var paddedOutputs: Int { packed.paddedOutputs }

    /// Chunks of `lanes` channels held in registers at once, and output pixels per pass:
    /// 4 x 5 accumulators (plus 4 weight vectors and a broadcast) fit AVX-512's 32 registers.
    var chunksPerGroup: Int { min(4, (outputs + lanes - 1) / lanes) }
    var pixelsPerBlock: Int {
        let byChunks = [1: 8, 2: 8, 3: 6, 4: 5][chunksPerGroup] ?? 4
        return max(1, min(byChunks, outputWidth))
    }

    func emit(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.line("typealias V = \(vectorType)")
            let fullChunks = outputs / lanes
            let totalChunks = (outputs + lanes - 1) / lanes
            let loopGroups = fullChunks / chunksPerGroup
            if loopGroups > 0 {
                let groupWidth = chunksPerGroup * lanes
                if loopGroups == 1 {
                    emitGroup(chunks: chunksPerGroup, channelBase: "0", into: &out)
                } else {
                    out.block("for g in 0..<\(loopGroups)") { out in
                        out.line("let c0 = g * \(groupWidth)")
                        emitGroup(chunks: chunksPerGroup, channelBase: "c0", into: &out)
                    }
                }
            }
            let restChunks = totalChunks - loopGroups * chunksPerGroup
            if restChunks > 0 {
                out.line("// The remaining \(outputs - loopGroups * chunksPerGroup * lanes) output channels.")
                emitGroup(chunks: restChunks, channelBase: "\(loopGroups * chunksPerGroup * lanes)", into: &out)
            }
        }
    }

    private func emitGroup(chunks: Int, channelBase: String, into out: inout SourceWriter) {
        let pixels = pixelsPerBlock
        let blocks = outputWidth / pixels
        let remainder = outputWidth - blocks * pixels
        out.block("for oy in 0..<\(outputHeight)") { out in
            if blocks == 1 {
                out.line("let ox = 0")
                emitBlock(chunks: chunks, pixels: pixels, channelBase: channelBase, into: &out)
            } else if blocks > 1 {
                out.block("for bx in 0..<\(blocks)") { out in
                    out.line("let ox = bx * \(pixels)")
                    emitBlock(chunks: chunks, pixels: pixels, channelBase: channelBase, into: &out)
                }
            }
            if remainder > 0 {
                out.block("for ox in \(blocks * pixels)..<\(outputWidth)") { out in
                    emitBlock(chunks: chunks, pixels: 1, channelBase: channelBase, into: &out)
                }
            }
        }
    }

    /// `pixels` neighbouring output pixels x `chunks` vectors of output channels.
    private func emitBlock(chunks: Int, pixels: Int, channelBase: String, into out: inout SourceWriter) {
        let base = channelBase == "0" ? "" : " + \(channelBase)"
        for p in 0..<pixels {
            for j in 0..<chunks {
                out.line("var s\(p)_\(j) = w.simd(V.self, at: \(packed.biasOffset + j * lanes)\(base))")
            }
        }
        let taps = kernel.height * kernel.width
        let rowStride = inputWidth * inputChannels
        let pixelStride = strides.width * inputChannels
        func body(_ out: inout SourceWriter, xp: String, wp: String) {
            out.line("let xp = \(xp)")
            out.line("let wp = \(wp)")
            out.block("for ci in 0..<\(inputChannels)") { out in
                for j in 0..<chunks {
                    out.line("let w\(j) = wp.simd(V.self, at: ci * \(paddedOutputs)\(j == 0 ? "" : " + \(j * lanes)"))")
                }
                for p in 0..<pixels {
                    out.line("let x\(p) = V(repeating: xp[\(p == 0 ? "" : "\(p * pixelStride) + ")ci])")
                    for j in 0..<chunks {
                        out.line("s\(p)_\(j) = madd(s\(p)_\(j), x\(p), w\(j))")
                    }
                }
            }
        }
        let origin = "(oy * \(strides.height * rowStride) + ox * \(pixelStride))"
        if taps == 1 {
            body(&out, xp: "x + \(origin)", wp: "w + \(packed.kernelOffset)\(base)")
        } else {
            // The kernel window: constant trip counts, unrolled by the optimizer.
            out.block("for ky in 0..<\(kernel.height)") { out in
                out.block("for kx in 0..<\(kernel.width)") { out in
                    body(&out,
                         xp: "x + \(origin) + ky * \(dilation.height * rowStride) + kx * \(dilation.width * inputChannels)",
                         wp: "w + \(packed.kernelOffset)\(base) + (ky * \(kernel.width) + kx) * \(inputChannels * paddedOutputs)")
                }
            }
        }
        out.line("let yp = y + (oy * \(outputWidth) + ox) * \(outputs)\(base)")
        for p in 0..<pixels {
            for j in 0..<chunks {
                // ReLU as a compare and blend: the standard library's pointwiseMax
                // stayed a call per vector for SIMD8 (a quarter of toy_convnet's time).
                let value = fusedReLU ? "s\(p)_\(j).replacing(with: 0, where: s\(p)_\(j) .< 0)" : "s\(p)_\(j)"
                let offset = p * outputs + j * lanes
                // Looped groups hold only full chunks; a group at a constant
                // channel base may end in the partial last chunk.
                let channelsLeft = Int(channelBase).map { outputs - $0 - j * lanes } ?? lanes
                if channelsLeft >= lanes {
                    out.line("yp.store(\(value), at: \(offset))")
                } else {
                    out.line("do { let v = \(value); for lane in 0..<\(channelsLeft) { yp[\(offset) + lane] = v[lane] } }")
                }
            }
        }
    }
}
