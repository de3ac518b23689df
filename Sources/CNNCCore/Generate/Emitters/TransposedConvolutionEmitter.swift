/// Conv2DTranspose's forward and backward functions. Input pixel (iy, ix)
/// with tap (my, mx) adds x[iy, ix, c]·kernel[my, mx, f, c] to output
/// (iy·sy + my·dy − crop.top, ix·sx + mx·dx − crop.left), over every c and f.
///
/// - Forward `function(x, w, y)`, by output pixel: the taps that land on it
///   are those whose row and column minus the tap's offset divide by the
///   strides; output channels in SIMD lanes (the packed kernel holds, per tap
///   and input channel, one row of output-channel weights), accumulated in a
///   register from the bias, ReLU fused.
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

    var lanes: Int { packed.lanes }
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

    /// The vector into the output's channels: whole, or lane by lane for the last, partial group.
    private func emitStore(groups: Int, into out: inout SourceWriter) {
        let remainder = config.filters - (groups - 1) * lanes
        if remainder == lanes {
            out.line("target.store(sum, at: \(groups == 1 ? "0" : "g * \(lanes)"))")
        } else if groups == 1 {
            out.line(Index.loopLine("lane", count: remainder) { lane in "target[\(lane)] = sum[\(lane)]" })
        } else {
            out.line("if g < \(groups - 1) { target.store(sum, at: g * \(lanes)) } else { for lane in 0..<\(remainder) { target[g * \(lanes) + lane] = sum[lane] } }")
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
    init(function: String, layer: CheckedLayer, config: Conv2DTransposeConfig, packed: WeightPlan.PackedKernel) {
        let (height, width) = (layer.inputShape.dimensions[0], layer.inputShape.dimensions[1])
        // The checker found both sizes, so neither axis overflows here.
        let crop = Size2D(config.axis(0, size: height)?.crop ?? 0, config.axis(1, size: width)?.crop ?? 0)
        self.init(function: function, input: layer.inputShape, output: layer.outputShape, config: config, crop: crop, packed: packed)
    }
}
