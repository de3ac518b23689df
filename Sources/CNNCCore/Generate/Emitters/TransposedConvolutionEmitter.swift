/// Conv2DTranspose's forward and backward functions. Input pixel (iy, ix)
/// with tap (my, mx) adds x[iy, ix, c]·kernel[my, mx, f, c] to output
/// (iy·sy + my·dy − crop.top, ix·sx + mx·dx − crop.left), over every c and f.
///
/// - Forward `function(x, w, y)`, by output pixel: the taps that land on it
///   are those whose row and column minus the tap's offset divide by the
///   strides; output channels in SIMD lanes (the packed kernel holds, per tap
///   and input channel, one row of output-channel weights), accumulated in a
///   register from the bias, ReLU fused. Where the strides equal the kernel
///   and nothing is cropped (U-Net's 2x2 up-convolutions), each output pixel
///   has exactly one tap, and each input pixel with each tap is a 1x1
///   convolution: those run a few input pixels and all their taps at once
///   (`pixelBlock`), each input value broadcast once for every tap and each
///   weight vector loaded once for every pixel, in the same order of sums.
/// - Backward `function_backward(x, dz, k, gk, dx?)`, by input pixel and tap,
///   on Keras's layout (kh, kw, filters, cin): adds dL/dkernel = Σ x·dz and
///   dL/dbias = Σ dz to `gk`, and writes dL/dx = Σ over taps and f of kernel·dz.
struct TransposedConvolutionEmitter: Codable, Hashable {
    var function: String
    var input: TensorShape
    var output: TensorShape
    var config: Conv2DTransposeConfig
    /// Rows and columns cut before the first output (see `Conv2DTransposeConfig.axis`).
    var crop: Size2D
    var packed: WeightPlan.PackedKernel
    /// The registers the taps' blocks may fill.
    var target: TargetCPU = .avx512on256

    var lanes: Int { packed.lanes }

    /// Whether every output pixel has exactly one tap: strides equal to the
    /// kernel, no dilation or crop, and no extra rows (`output_padding`).
    var tapsTile: Bool {
        let s = sizes
        return config.strides == config.kernelSize && config.dilationRate == Size2D(1, 1) && crop == Size2D(0, 0)
            && s.outputHeight == s.height * config.strides.height && s.outputWidth == s.width * config.strides.width
    }

    /// Input pixels of a row that a block of the tiling form computes
    /// together: their sums for every tap, the taps' weight vectors and an
    /// input value within the registers, at most 4. unet's 2x2 up-convolution
    /// (4x4x32 to 8x8x16) took 1.0 µs a pixel at a time, a chain of 32
    /// multiply-adds each (58–63 GFLOP/s on Zen 4).
    var pixelBlock: Int {
        let taps = config.kernelSize.height * config.kernelSize.width
        let vectors = target.vectorRegisters / target.registers(lanes: lanes)
        return Swift.min(4, sizes.width, Swift.max(1, (vectors - taps - 1) / taps))
    }
    /// One part: the scatter's output rows are not split across workers.
    var parts: Int { 1 }

    private var sizes: (height: Int, width: Int, channels: Int, outputHeight: Int, outputWidth: Int, filters: Int) {
        (input.dimensions[0], input.dimensions[1], input.lastAxis, output.dimensions[0], output.dimensions[1], config.filters)
    }

    func emit(into out: inout SourceWriter) {
        let s = sizes
        let vector = "SIMD\(lanes)<Float>"
        let groups = packed.paddedOutputs / lanes
        let (kernel, strides, dilation) = (config.kernelSize, config.strides, config.dilationRate)
        out.line("@inline(never)")
        if tapsTile { return emitTiling(into: &out) }
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            // The tap loops below stay loops even when they run once: their `continue` skips a tap.
            out.loops([("oy", s.outputHeight), ("ox", s.outputWidth)]) { out, pixel in
                let (oy, ox) = (pixel[0], pixel[1])
                out.line("let target = \(((oy * s.outputWidth + ox) * s.filters).offsetting("y"))")
                out.loop("g", count: groups) { out, g in
                        out.line("var sum = w.simd(\(vector).self, at: \(g * lanes + packed.biasOffset))")
                        out.block("for my in 0..<\(kernel.height)") { out in
                            emitTapIndex("iy", from: "\(oy + crop.height) - \(Index("my") * dilation.height)", stride: strides.height, size: s.height, into: &out)
                            out.block("for mx in 0..<\(kernel.width)") { out in
                                emitTapIndex("ix", from: "\(ox + crop.width) - \(Index("mx") * dilation.width)", stride: strides.width, size: s.width, into: &out)
                                out.line("let xp = x + (iy * \(s.width) + ix) * \(s.channels)")
                                out.line("let row = \((Index("my") * kernel.width + Index("mx")) * (s.channels * packed.paddedOutputs) + g * lanes + packed.kernelOffset)")
                                out.line("for c in 0..<\(s.channels) { sum = madd(sum, \(vector)(repeating: xp[c]), w.simd(\(vector).self, at: row + c * \(packed.paddedOutputs))) }")
                            }
                        }
                        // ReLU as a compare and blend, as the other kernels fuse it.
                        if config.activation == .relu { out.line("sum = zeroingNegatives(sum)") }
                        emitStore(groups: groups, into: &out)
                }
            }
        }
    }

    /// The tiling form (`tapsTile`): for each row of input, blocks of
    /// `pixelBlock` pixels, then the pixels left one at a time; for each
    /// group of output channels, sums from the bias for every pixel and tap,
    /// over the input channels in order.
    private func emitTiling(into out: inout SourceWriter) {
        let s = sizes, kernel = config.kernelSize
        let taps = kernel.height * kernel.width, groups = packed.paddedOutputs / lanes, block = pixelBlock
        let vector = VectorTypes.name(lanes), load = VectorTypes.load(vector)
        let tapFloats = s.channels * packed.paddedOutputs
        func pixels(_ count: Int, from first: String, _ out: inout SourceWriter) {
            out.line("let xp = x + (iy * \(s.width) + \(first)) * \(s.channels), yp = y + (iy * \(kernel.height * s.outputWidth) + \(first) * \(kernel.width)) * \(s.filters)")
            out.loop("g", count: groups) { out, g in
                out.line("let bias = w.\(load)(at: \(g * lanes + packed.biasOffset))")
                for p in 0..<count { out.line((0..<taps).map { "var s\(p)_\($0) = bias" }.joined(separator: "; ")) }
                out.block("for c in 0..<\(s.channels)") { out in
                    out.line("let k = w + c * \(packed.paddedOutputs)\((g * lanes + packed.kernelOffset).added)")
                    out.line("let " + (0..<taps).map { "w\($0) = k.\(load)(at: \($0 * tapFloats))" }.joined(separator: ", "))
                    for p in 0..<count {
                        out.line("do { let xv = \(vector)(repeating: xp[\(p == 0 ? "c" : "\(p * s.channels) + c")])"
                                 + (0..<taps).map { "; s\(p)_\($0) = madd(s\(p)_\($0), xv, w\($0))" }.joined() + " }")
                    }
                }
                for p in 0..<count {
                    for tap in 0..<taps {
                        let (my, mx) = (tap / kernel.width, tap % kernel.width)
                        let sum = "s\(p)_\(tap)"
                        if config.activation == .relu { out.line("\(sum) = zeroingNegatives(\(sum))") }
                        out.block("do") { out in
                            out.line("let target = \(Index((my * s.outputWidth + p * kernel.width + mx) * s.filters).offsetting("yp"))")
                            emitStore(sum, groups: groups, into: &out)
                        }
                    }
                }
            }
        }
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.line("// A tap for each output pixel (strides equal the kernel): \(block) input pixels of a row a block, every tap of each.")
            out.block("for iy in 0..<\(s.height)") { out in
                let whole = s.width / block * block
                out.block("for ix in stride(from: 0, to: \(whole), by: \(block))") { out in pixels(block, from: "ix", &out) }
                if whole < s.width {
                    out.block("for ix in \(whole)..<\(s.width)") { out in pixels(1, from: "ix", &out) }
                }
            }
        }
    }

    /// `let name = (offset) / stride`, skipping taps that fall between input pixels or outside the input.
    private func emitTapIndex(_ name: String, from offset: String, stride: Int, size: Int, into out: inout SourceWriter) {
        out.line("let \(name)Stride = \(offset)")
        if stride == 1 {
            out.line("guard \(name)Stride >= 0, \(name)Stride < \(size) else { continue }")
            out.line("let \(name) = \(name)Stride")
        } else {
            out.line("guard \(name)Stride >= 0, \(name)Stride % \(stride) == 0, \(name)Stride / \(stride) < \(size) else { continue }")
            out.line("let \(name) = \(name)Stride / \(stride)")
        }
    }

    /// The vector `sum` into the output's channels: whole, or lane by lane for the last, partial group.
    private func emitStore(_ sum: String = "sum", groups: Int, into out: inout SourceWriter) {
        let remainder = config.filters - (groups - 1) * lanes
        if remainder == lanes {
            out.line("target.store(\(sum), at: \(groups == 1 ? "0" : "g * \(lanes)"))")
        } else if groups == 1 {
            out.line(Index.loopLine("lane", count: remainder) { lane in "target[\(lane)] = \(sum)[\(lane)]" })
        } else {
            out.line("if g < \(groups - 1) { target.store(\(sum), at: g * \(lanes)) } else { for lane in 0..<\(remainder) { target[g * \(lanes) + lane] = \(sum)[lane] } }")
        }
    }

    /// The backward function; `kernelOffset` and `biasOffset` are the weights' places in Keras's layout.
    func emitBackward(name: String, kernelOffset: Int, biasOffset: Int?, into out: inout SourceWriter) {
        let s = sizes
        let (kernel, strides, dilation) = (config.kernelSize, config.strides, config.dilationRate)
        let tapSize = s.filters * s.channels
        out.line("@inline(never)")
        out.block("static func \(name)(_ x: UnsafePointer<Float>, _ dz: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ gk: UnsafeMutablePointer<Float>, _ dx: UnsafeMutablePointer<Float>?)") { out in
            out.line("let kernel = \(Index(kernelOffset).offsetting("k")), kernelGradient = \(Index(kernelOffset).offsetting("gk"))")
            if let biasOffset {
                out.line("let biasGradient = \(Index(biasOffset).offsetting("gk"))")
                out.loop("p", count: s.outputHeight * s.outputWidth) { out, p in
                    out.line("let dzp = \((p * s.filters).offsetting("dz"))")
                    out.line("for f in 0..<\(s.filters) { biasGradient[f] += dzp[f] }")
                }
            }
            out.line("dx?.initialize(repeating: 0, count: \(s.height * s.width * s.channels))")
            out.block("for iy in 0..<\(s.height)") { out in
                out.block("for my in 0..<\(kernel.height)") { out in
                    out.line("let oy = iy * \(strides.height) + my * \(dilation.height) - \(crop.height)")
                    out.line("guard oy >= 0, oy < \(s.outputHeight) else { continue }")
                    out.block("for ix in 0..<\(s.width)") { out in
                        out.block("for mx in 0..<\(kernel.width)") { out in
                            out.line("let ox = ix * \(strides.width) + mx * \(dilation.width) - \(crop.width)")
                            out.line("guard ox >= 0, ox < \(s.outputWidth) else { continue }")
                            out.line("let at = (iy * \(s.width) + ix) * \(s.channels), dzp = dz + (oy * \(s.outputWidth) + ox) * \(s.filters)")
                            out.line("let tap = (my * \(kernel.width) + mx) * \(tapSize)")
                            out.line("let xp = x + at, gp = kernelGradient + tap, kp = kernel + tap")
                            out.line("for f in 0..<\(s.filters) { let d = dzp[f]; for c in 0..<\(s.channels) { gp[f * \(s.channels) + c] += d * xp[c] } }")
                            out.line("if let dx { let dxp = dx + at; for f in 0..<\(s.filters) { let d = dzp[f]; for c in 0..<\(s.channels) { dxp[c] += d * kp[f * \(s.channels) + c] } } }")
                        }
                    }
                }
            }
        }
        out.line()
    }
}

extension TransposedConvolutionEmitter {
    /// The kernel of a checked Conv2DTranspose layer, cropped as Keras crops it.
    init(function: String, layer: CheckedLayer, config: Conv2DTransposeConfig, packed: WeightPlan.PackedKernel, target: TargetCPU = .avx512on256) {
        let (height, width) = (layer.inputShape.dimensions[0], layer.inputShape.dimensions[1])
        // The checker found both sizes, so neither axis overflows here.
        let crop = Size2D(config.axis(0, size: height)?.crop ?? 0, config.axis(1, size: width)?.crop ?? 0)
        self.init(function: function, input: layer.inputShape, output: layer.outputShape, config: config, crop: crop, packed: packed, target: target)
    }
}
