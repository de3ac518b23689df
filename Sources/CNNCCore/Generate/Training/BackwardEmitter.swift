/// One layer's backward functions, with every size a constant:
///
/// - Conv2D and Dense: `_derivative(y, g)` turns dL/dy into dL/dz in place
///   (z the pre-activation; `_derivative(z, y, g)` for an activation whose
///   derivative reads z, which training then keeps), and `_backward(x, dz, k, gk, dx?)` adds
///   dL/dkernel = Σ x·dz (the convolution of the input with dz) and
///   dL/dbias = Σ dz to `gk`, and writes dL/dx = the full convolution of dz
///   with the kernel (scattered through the strides and dilation) into `dx`.
///   With padding, `x` is the padded form; so is `dx`, which `_unpad` crops,
///   except where dL/dx is a forward convolution (`InputGradientConvolution`).
///   A 3x3 layer whose dL/dx or dL/dkernel the step computes by Winograd
///   (`WinogradInputGradient`, `WinogradKernelGradient`) leaves it out here.
/// - Conv2DTranspose: the same `_backward` (see `TransposedConvolutionEmitter`).
/// - Pooling: max pooling routes each gradient to its window's first maximum,
///   average pooling spreads it over the window's real cells.
/// - ZeroPadding2D crops, Cropping2D pads, UpSampling2D sums each pixel's share of dL/dy; activation layers `_derivative(x, y, g)` in place.
/// - Permute copies dL/dy back with the inverse order; RepeatVector sums dL/dy over its copies.
/// - Rescaling and Normalization `_backward(k, g)`: dL/dx = dL/dy · scale, in place.
/// - LayerNormalization and PReLU `_backward(x, k, gk, g)`: their weights'
///   gradients added to `gk`, dL/dx in place (`LayerNormalizationEmitter`, `PReLUEmitter`).
///
/// Weights are read in Keras's layout (`k`), not the packed inference layout.
struct BackwardEmitter {
    var layer: CheckedLayer
    var function: String
    var weights: WeightPlan
    var index: Int
    /// Where the layer's weights start in `k` and `gk`: its kernels are
    /// handed `k + parameterBase` (`NodeProgram.weightBase`), 0 for a layer
    /// whose functions read the whole buffer.
    var parameterBase = 0
    /// The CPU kind whose registers the convolutions computing dL/dx fill.
    var target: TargetCPU
    /// A Conv2D whose dL/dx the training step computes by Winograd
    /// (`WinogradInputGradient`): its `_backward` adds the weights' gradients only.
    var inputGradientByWinograd = false
    /// A Conv2D whose dL/dkernel the training step computes by Winograd's
    /// adjoint (`WinogradKernelGradient`): its `_backward` leaves it out.
    var kernelGradientByWinograd = false

    /// Where a weight tensor starts in what the layer's functions are handed.
    private func offset(of tensor: Int) -> Int { weights.tensors[tensor].offset - parameterBase }

    func emit(into out: inout SourceWriter) {
        switch layer.operation {
        case .conv2D(let config):
            emitFusedActivationDerivative(config.activation, into: &out)
            emitConvolutionBackward(kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate, into: &out)
        case .depthwiseConv2D(let config):
            emitFusedActivationDerivative(config.activation, into: &out)
            emitDepthwiseBackward(config, into: &out)
        case .separableConv2D(let config):
            emitFusedActivationDerivative(config.activation, into: &out)
            emitSeparableBackward(config, into: &out)
        case .conv2DTranspose(let config):
            emitFusedActivationDerivative(config.activation, into: &out)
            guard case .kernel(let packed)? = weights.packing[index] else { return }
            let kernel = TransposedConvolutionEmitter(function: function, layer: layer, config: config, packed: packed)
            out.line("// \(layer.name): dL/dkernel, dL/dbias, dL/dx, by input pixel and tap")
            kernel.emitBackward(name: "\(function)_backward", kernelOffset: offset(of: packed.kernelTensor),
                                biasOffset: packed.biasTensor.map { offset(of: $0) }, into: &out)
        case .dense(let config):
            emitFusedActivationDerivative(config.activation, into: &out)
            emitConvolutionBackward(kernel: .square(1), strides: .square(1), dilation: .square(1), into: &out)
        case .maxPooling2D(let config), .averagePooling2D(let config):
            let isMax = if case .maxPooling2D = layer.operation { true } else { false }
            emitPoolingBackward(isMax: isMax, window: config.poolSize, strides: config.strides, into: &out)
        case .globalAveragePooling2D, .globalMaxPooling2D:
            let isMax = if case .globalMaxPooling2D = layer.operation { true } else { false }
            emitGlobalPoolingBackward(isMax: isMax, into: &out)
        case .zeroPadding2D(let padding):
            emitCrop(name: "\(function)_backward", hasInput: true, padding: padding, into: &out)
        case .cropping2D(let cropping):
            emitCroppingBackward(cropping, into: &out)
        case .upSampling2D(let config):
            out.line("// \(layer.name): dL/dx, each dL/dy sent back to the pixels it was made from")
            UpSamplingEmitter(function: function, input: layer.inputShape, config: config).emitBackward(into: &out)
            out.line()
        case .resizing(let config):
            out.line("// \(layer.name): dL/dx, each dL/dy sent back to the pixels it was read from")
            ResizingEmitter(function: function, input: layer.inputShape, config: config).emitBackward(into: &out)
            out.line()
        case .layerNormalization(let config):
            guard case .layerNormalization(let gamma, let beta)? = weights.packing[index] else { return }
            LayerNormalizationEmitter(epsilon: config.epsilon, gammaOffset: gamma.map { offset(of: $0.tensor) },
                                      betaOffset: beta.map { offset(of: $0.tensor) })
                .emitBackward(function: function, layerName: layer.name, count: layer.inputShape.elementCount,
                              channels: layer.inputShape.lastAxis, into: &out)
        case .prelu:
            guard case .prelu(let alpha)? = weights.packing[index] else { return }
            let tensor = weights.tensors[alpha.tensor]
            PReLUEmitter(alphaShape: tensor.shape, alphaOffset: offset(of: alpha.tensor))
                .emitBackward(function: function, layerName: layer.name, shape: layer.inputShape, into: &out)
        case .permute(let config):
            out.line("// \(layer.name): dL/dx, dL/dy's axes put back in the input's order")
            PermuteEmitter(function: "\(function)_backward", input: layer.outputShape, order: config.inverseOrder, isGradient: true).emit(into: &out)
            out.line()
        case .repeatVector(let config):
            out.line("// \(layer.name): dL/dx, the sum of dL/dy over the \(config.n) copies")
            RepeatVectorEmitter(function: function, features: layer.inputShape.lastAxis, copies: config.n).emitBackward(into: &out)
            out.line()
        case .rescaling, .normalization:
            emitScaleBackward(into: &out)
        case .activation(let activation) where activation != .linear:
            if activation == .relu { emitOutOfPlaceForward(label: "relu", step: "y[i] = Swift.max(x[i], 0)", into: &out) }
            emitActivationDerivative(activation, from: "x, _ y", into: &out)
        case .softmax:
            emitActivationDerivative(.softmax, from: "x, _ y", into: &out)
        case .relu(let config):
            emitOutOfPlaceForward(label: "ReLU", step: "let v = x[i]; y[i] = \(ElementwiseEmitter.relu(config, of: "v"))", into: &out)
            emitReLUDerivative(config, into: &out)
        case .elu(let alpha):
            emitVectorDerivative(label: "ELU (alpha \(alpha))", derivative: "{ VectorMath.eluDerivative($0, alpha: \(Float(alpha))) }", into: &out)
        case .batchNormalization where layer.frozen:
            emitScaleBackward(into: &out)
        case .activation, .flatten, .reshape, .dropout, .identityAtInference, .batchNormalization, .merge, .concatenate:
            return
        case .oneDimensional, .layerScale:
            return  // none: the plan lowered each to its 2D counterpart (`loweredToImages`)
        }
    }

    typealias Geometry = (height: Int, width: Int, channels: Int)
    private var inputGeometry: Geometry { Self.geometry(of: layer.inputShape) }
    private var outputGeometry: Geometry { Self.geometry(of: layer.outputShape) }

    /// A shape as (height, width, channels); a vector is a 1x1 image, a sequence one row.
    private static func geometry(of shape: TensorShape) -> Geometry {
        let dimensions = shape.dimensions
        switch dimensions.count {
        case 3: return (dimensions[0], dimensions[1], dimensions[2])
        case 2: return (1, dimensions[0], dimensions[1])
        default: return (1, 1, dimensions.last ?? 1)
        }
    }

    // MARK: Convolution and Dense

    private func emitConvolutionBackward(kernel: Size2D, strides: Size2D, dilation: Size2D, into out: inout SourceWriter) {
        guard case .kernel(let packed)? = weights.packing[index] else { return }
        emitConvolutionBackward(name: "\(function)_backward", packed: packed, kernel: kernel, strides: strides, dilation: dilation,
                                input: inputGeometry, output: outputGeometry, padding: layer.padding ?? .zero, into: &out)
        if let padding = layer.padding, padding != .zero, !InputGradientConvolution.applies(to: layer) {
            emitCrop(name: "\(function)_unpad", hasInput: false, padding: padding, into: &out)
        }
    }

    private func emitConvolutionBackward(name: String, packed: WeightPlan.PackedKernel, kernel: Size2D, strides: Size2D, dilation: Size2D,
                                         input: Geometry, output: Geometry, padding: Padding2D, into out: inout SourceWriter) {
        let kernelOffset = offset(of: packed.kernelTensor)
        let biasOffset = packed.biasTensor.map { offset(of: $0) }
        let paddedHeight = input.height + padding.top + padding.bottom
        let paddedWidth = input.width + padding.left + padding.right
        let (cin, cout) = (input.channels, output.channels)

        let lanes = packed.lanes, groups = (cout + lanes - 1) / lanes
        let pixels = output.height * output.width, rows = kernel.height * kernel.width * cin
        let vector = "SIMD\(lanes)<Float>"
        // dL/dx as a forward convolution where that is one, except for a Dense layer's single position.
        let onePosition = pixels == 1 && rows == cin && paddedHeight * paddedWidth == 1
        let inputGradient = !onePosition && !inputGradientByWinograd && InputGradientConvolution.applies(strides: strides, kernel: kernel, dilation: dilation, padding: padding)
            ? InputGradientConvolution(name: name, kernel: kernel, strides: strides, dilation: dilation, input: input, output: output, padding: padding, target: target)
            : nil
        // Output channels sit in SIMD lanes, as in the forward pass. dL/dz is first
        // copied with each pixel's channels padded to whole vectors (padding lanes 0),
        // so every product below is a whole-vector multiply-add and the padding adds nothing.
        let computed = (kernelGradientByWinograd ? [] : ["dL/dkernel"]) + ["dL/dbias"] + (inputGradientByWinograd ? [] : ["dL/dx"])
        out.line("// \(layer.name): \(computed.joined(separator: ", ")) (\(groups) vector\(groups == 1 ? "" : "s") of \(lanes) output channels)")
        out.line("@inline(never)")
        out.block("static func \(name)(_ x: UnsafePointer<Float>, _ dz: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ gk: UnsafeMutablePointer<Float>, _ dx: UnsafeMutablePointer<Float>?)") { out in
            // Only the direct dL/dx reads the kernel itself, and only the direct dL/dkernel writes its gradient here.
            let pointers = (inputGradientByWinograd ? [] : ["kernel = \(Index(kernelOffset).offsetting("k"))"])
                + (kernelGradientByWinograd ? [] : ["kernelGradient = \(Index(kernelOffset).offsetting("gk"))"])
            if !pointers.isEmpty { out.line("let " + pointers.joined(separator: ", ")) }
            guard biasOffset != nil || !pointers.isEmpty else {
                out.line("// dL/dkernel and dL/dx: by Winograd (\(function)_kernel_gradient_winograd, \(function)_input_gradient_winograd)")
                return
            }
            Self.emitScratch("buffer", of: vector, lanes: lanes, capacity: pixels * groups, into: &out) { out in
                out.line("let d = buffer.baseAddress!")
                emitPaddedCopy(from: "dz", count: pixels, channels: cout, lanes: lanes, groups: groups, into: "d", &out)
                if let biasOffset {
                    out.loop("g", count: groups) { out, g in
                        out.line("var sum = \(vector)()")
                        out.line(Index.loopLine("p", count: pixels) { p in "sum += d[\(p * groups + g)]" })
                        out.line("let gp = \((Index(biasOffset) + g * lanes).offsetting("gk"))")
                        emitAccumulate("sum", into: "gp", group: g, channels: cout, lanes: lanes, &out)
                    }
                }
                if kernelGradientByWinograd {
                    out.line("// dL/dkernel: by Winograd's adjoint, before this (\(function)_kernel_gradient_winograd)")
                } else {
                    emitKernelGradient(rows: rows, kernel: kernel, strides: strides, dilation: dilation, paddedWidth: paddedWidth,
                                       cin: cin, cout: cout, output: output, lanes: lanes, into: &out)
                }
                if inputGradientByWinograd {
                    out.line("// dL/dx: by Winograd, after this (\(function)_input_gradient_winograd); dx is nil")
                    return
                }
                out.line("guard let dx else { return }")
                if let inputGradient {
                    inputGradient.emitCall(into: &out)
                } else if onePosition {
                    emitOnePositionInputGradient(cin: cin, cout: cout, lanes: lanes, vector: vector, into: &out)
                } else {
                    emitInputGradient(kernel: kernel, strides: strides, dilation: dilation, paddedHeight: paddedHeight, paddedWidth: paddedWidth,
                                      cin: cin, cout: cout, output: output, into: &out)
                }
            }
        }
        out.line()
        inputGradient?.emitFunction(into: &out)
    }

    /// dL/dkernel by direct sums: each kernel row (tap and input channel) the
    /// input under that tap times dL/dz (`d`), summed over the output pixels.
    private func emitKernelGradient(rows: Int, kernel: Size2D, strides: Size2D, dilation: Size2D, paddedWidth: Int,
                                    cin: Int, cout: Int, output: Geometry, lanes: Int, into out: inout SourceWriter) {
        out.line("// dL/dkernel[row]: the input under that tap times dL/dz, summed over output pixels in registers,")
        let rowsAtOnce = rowsAtOnce(rows: rows, lanes: lanes)
        out.line("// \(rowsAtOnce) rows at once: each row's sum keeps its order, and their multiply-adds overlap")
        let blocks = rows / rowsAtOnce, rest = rows % rowsAtOnce
        out.loop("rb", count: blocks) { out, rb in
            var first = rb * rowsAtOnce
            if first.constantValue == nil {
                out.line("let r0 = \(first)")
                first = Index("r0")
            }
            emitKernelGradientRows(first: first, count: rowsAtOnce, kernel: kernel, strides: strides, dilation: dilation,
                                   paddedWidth: paddedWidth, cin: cin, cout: cout, output: output, lanes: lanes, into: &out)
        }
        if rest > 0 {
            // Constant rows declare nothing; the loop over vector groups scopes the rest.
            emitKernelGradientRows(first: Index(blocks * rowsAtOnce), count: rest, kernel: kernel, strides: strides, dilation: dilation,
                                   paddedWidth: paddedWidth, cin: cin, cout: cout, output: output, lanes: lanes, into: &out)
        }
    }

    /// Kernel rows whose dL/dkernel sums run side by side. One row's sum is a
    /// chain of dependent multiply-adds (LeNet-5's first layer: 784 of them per
    /// row), bound by their latency; independent rows fill the FMA units. Each
    /// sum still adds its pixels in the same order, so no bit changes.
    ///
    /// With AVX-512, 4 rows (as measured on Zen 4). With AVX2, as many rows as
    /// 12 of its 16 registers hold (beside dL/dz's vector and a broadcast): 4
    /// rows of SIMD16 were 8 chains, just enough for two FMA units of latency
    /// 4, and stalled at any hiccup; 6 rows (SIMD16) or 12 (SIMD8, LeNet-5's 6
    /// filters) keep them busy. Rows are shared out in blocks of nearly equal
    /// size, so that no row is left alone on one latency-bound chain.
    func rowsAtOnce(rows: Int, lanes: Int) -> Int { Self.rowsAtOnce(rows: rows, lanes: lanes, target: target) }

    static func rowsAtOnce(rows: Int, lanes: Int, target: TargetCPU) -> Int {
        let most = target.keepsAVX512Blocks(lanes: lanes) ? 4 : max(1, 12 / target.registers(lanes: lanes))
        let blocks = (rows + most - 1) / most
        return max(1, (rows + blocks - 1) / blocks)
    }

    /// dL/dkernel for `count` consecutive kernel rows from `first` (tap and
    /// input channel), each summed over the output pixels in its own register.
    private func emitKernelGradientRows(first: Index, count: Int, kernel: Size2D, strides: Size2D, dilation: Size2D, paddedWidth: Int,
                                        cin: Int, cout: Int, output: Geometry, lanes: Int, into out: inout SourceWriter) {
        let vector = "SIMD\(lanes)<Float>", groups = (cout + lanes - 1) / lanes
        let taps = kernel.height * kernel.width
        // Each row's tap (ky, kx) and input channel ci: constants where the row is, else `let`s.
        var terms: [(r: Index, ky: Index, kx: Index, ci: Index)] = []
        var declarations: [String] = []
        for j in 0..<count {
            let r = first + j
            if let value = r.constantValue {
                terms.append((r, Index(value / (kernel.width * cin)), Index((value / cin) % kernel.width), Index(value % cin)))
                continue
            }
            let row = PointerExpression.parenthesized("\(r)")
            if kernel.height > 1 { declarations.append("ky\(j) = \(row) / \(kernel.width * cin)") }
            let column = cin == 1 ? row : "(\(row) / \(cin))"
            if kernel.width > 1 { declarations.append(kernel.height > 1 ? "kx\(j) = \(column) % \(kernel.width)" : "kx\(j) = \(column)") }
            if cin > 1 && taps > 1 { declarations.append("ci\(j) = \(row) % \(cin)") }
            terms.append((r, kernel.height > 1 ? Index("ky\(j)") : Index(0), kernel.width > 1 ? Index("kx\(j)") : Index(0),
                          cin == 1 ? Index(0) : taps == 1 ? r : Index("ci\(j)")))
        }
        if !declarations.isEmpty { out.line("let " + declarations.joined(separator: ", ")) }
        out.loop("g", count: groups) { out, g in
            out.line("var " + (0..<count).map { "sum\($0) = \(vector)()" }.joined(separator: ", "))
            out.loop("oy", count: output.height) { out, oy in
                for (j, term) in terms.enumerated() {
                    out.line("let row\(j) = \(((oy * strides.height + term.ky * dilation.height) * paddedWidth + term.kx * dilation.width) * cin + term.ci)")
                }
                out.line("let dp = \((oy * (output.width * groups) + g).offsetting("d"))")
                out.line(Index.loopLine("ox", count: output.width) { ox in
                    "let dzv = dp[\(ox * groups)]; " + (0..<count).map { j in
                        "sum\(j) = madd(sum\(j), \(vector)(repeating: x[\(Index("row\(j)") + ox * (strides.width * cin))]), dzv)"
                    }.joined(separator: "; ")
                })
            }
            for (j, term) in terms.enumerated() {
                out.line("let gp\(j) = \((term.r * cout + g * lanes).offsetting("kernelGradient"))")
                emitAccumulate("sum\(j)", into: "gp\(j)", group: g, channels: cout, lanes: lanes, &out)
            }
        }
    }

    // MARK: DepthwiseConv2D

    /// The same three gradients for a depthwise layer, whose output channel
    /// o = c·m + j reads only input channel c: dL/dkernel[tap][o] = Σ x·dz,
    /// dL/dbias[o] = Σ dz, and dL/dx[c] = Σ over taps and j of kernel·dz.
    /// Channels are the innermost loop of every sum, left to the vectorizer.
    private func emitDepthwiseBackward(_ config: DepthwiseConv2DConfig, into out: inout SourceWriter) {
        guard case .kernel(let packed)? = weights.packing[index] else { return }
        emitDepthwiseBackward(config, name: "\(function)_backward", packed: packed, output: outputGeometry, into: &out)
        if let padding = layer.padding, padding != .zero {
            emitCrop(name: "\(function)_unpad", hasInput: false, padding: padding, into: &out)
        }
    }

    private func emitDepthwiseBackward(_ config: DepthwiseConv2DConfig, name: String, packed: WeightPlan.PackedKernel, output: Geometry,
                                       into out: inout SourceWriter) {
        let kernelOffset = offset(of: packed.kernelTensor)
        let biasOffset = packed.biasTensor.map { offset(of: $0) }
        let padding = layer.padding ?? .zero
        let input = inputGeometry
        let paddedHeight = input.height + padding.top + padding.bottom
        let paddedWidth = input.width + padding.left + padding.right
        let (cin, cout, m) = (input.channels, output.channels, config.depthMultiplier)
        let (kernel, strides, dilation) = (config.kernelSize, config.strides, config.dilationRate)
        out.line("// \(layer.name): dL/dkernel, dL/dbias, dL/dx, channel by channel")
        out.line("@inline(never)")
        out.block("static func \(name)(_ x: UnsafePointer<Float>, _ dz: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ gk: UnsafeMutablePointer<Float>, _ dx: UnsafeMutablePointer<Float>?)") { out in
            out.line("let kernel = \(Index(kernelOffset).offsetting("k")), kernelGradient = \(Index(kernelOffset).offsetting("gk"))")
            if let biasOffset {
                out.line("let biasGradient = \(Index(biasOffset).offsetting("gk"))")
                out.loop("p", count: output.height * output.width) { out, p in
                    out.line("let dzp = \((p * cout).offsetting("dz"))")
                    out.line("for o in 0..<\(cout) { biasGradient[o] += dzp[o] }")
                }
            }
            out.line("dx?.initialize(repeating: 0, count: \(paddedHeight * paddedWidth * cin))")
            Self.emitEveryTap(output: output, kernel: kernel, strides: strides, dilation: dilation, paddedWidth: paddedWidth,
                              perPosition: cin, outputChannels: cout, into: &out) { out, ky, kx, at in
                let tap = (ky * kernel.width + kx) * cout
                out.line("let xp = \(at.offsetting("x")), gp = \(tap.offsetting("kernelGradient")), kp = \(tap.offsetting("kernel"))")
                if m == 1 {
                    out.line(Index.loopLine("c", count: cin) { c in "gp[\(c)] += xp[\(c)] * dzp[\(c)]" })
                    out.line("if let dx { let dxp = \(at.offsetting("dx")); for c in 0..<\(cin) { dxp[c] += kp[c] * dzp[c] } }")
                } else {
                    out.block("for c in 0..<\(cin)") { out in
                        out.line("var sum: Float = 0")
                        out.line("for j in 0..<\(m) { let o = c * \(m) + j; gp[o] += xp[c] * dzp[o]; sum += kp[o] * dzp[o] }")
                        out.line("dx?[\(at + Index("c"))] += sum")
                    }
                }
            }
        }
        out.line()
    }

    // MARK: SeparableConv2D

    /// Backward through the 1x1 step (`_pointwise_backward`: its kernel and
    /// bias gradients, and dL/d(depthwise result)), then through the depthwise
    /// step (`_depthwise_backward`), and `_unpad` when the layer pads.
    private func emitSeparableBackward(_ config: SeparableConv2DConfig, into out: inout SourceWriter) {
        guard case .separable(let depthwise, let pointwise)? = weights.packing[index] else { return }
        let output = outputGeometry
        let middle = (height: output.height, width: output.width, channels: depthwise.outputs)
        emitConvolutionBackward(name: "\(function)_pointwise_backward", packed: pointwise, kernel: .square(1), strides: .square(1),
                                dilation: .square(1), input: middle, output: output, padding: .zero, into: &out)
        emitDepthwiseBackward(config.depthwise, name: "\(function)_depthwise_backward", packed: depthwise, output: middle, into: &out)
        if let padding = layer.padding, padding != .zero {
            emitCrop(name: "\(function)_unpad", hasInput: false, padding: padding, into: &out)
        }
    }

    /// dL/dx of a layer with one position and one tap (a Dense layer): each
    /// input channel's kernel row, contiguous, dotted with dL/dz (`d`, padded
    /// to whole vectors with zeros). The transposed copy `emitInputGradient`
    /// makes pays for itself over many pixels; for one it cost a second read
    /// and write of the whole kernel per sample (21 MB for cats_vs_dogs's
    /// first Dense layer, most of a training step's time).
    private func emitOnePositionInputGradient(cin: Int, cout: Int, lanes: Int, vector: String, into out: inout SourceWriter) {
        let full = cout / lanes, rest = cout % lanes
        out.line("// dL/dx: each input's kernel row dotted with dL/dz, read in place")
        out.loop("ci", count: cin) { out, ci in
            out.line("let row = \((ci * cout).offsetting("UnsafePointer(kernel)"))")
            if full > 0 {
                out.line("var sum = \(vector)()")
                out.line(Index.loopLine("g", count: full) { g in "sum = madd(sum, row.simd(\(vector).self, at: \(g * lanes)), d[\(g)])" })
            }
            guard rest > 0 else {
                out.line("dx[\(ci)] = sum.sum()")
                return
            }
            out.line("var total: Float = \(full > 0 ? "sum.sum()" : "0")")
            out.line(Index.loopLine("l", count: rest) { l in "total += row[\(l + full * lanes)] * d[\(full)][\(l)]" })
            out.line("dx[\(ci)] = total")
        }
    }

    /// dL/dx with input channels in lanes: at each output pixel and tap, the
    /// kernel's rows for that tap (transposed once, so each filter's weights
    /// over the input channels are one vector) scaled by that pixel's dL/dz
    /// and added to the input position the tap reads, in a buffer whose
    /// pixels are padded to whole vectors; then copied into `dx`. No
    /// horizontal sums: each multiply-add is a whole vector of input channels.
    private func emitInputGradient(kernel: Size2D, strides: Size2D, dilation: Size2D, paddedHeight: Int, paddedWidth: Int,
                                   cin: Int, cout: Int, output: Geometry, into out: inout SourceWriter) {
        let lanes = WeightPlan.lanes(forOutputs: cin), groups = (cin + lanes - 1) / lanes
        let vector = "SIMD\(lanes)<Float>"
        let taps = kernel.height * kernel.width
        let positions = paddedHeight * paddedWidth
        out.line("// dL/dx: at every output pixel and tap, Σ over filters of dL/dz times the filter's weights, \(groups) vector\(groups == 1 ? "" : "s") of \(lanes) input channels")
        Self.emitScratch("transposed", of: vector, lanes: lanes, capacity: taps * cout * groups, into: &out) { out in
            out.line("let kt = transposed.baseAddress!")
            out.loops([("tap", taps), ("co", cout), ("g", groups)]) { out, index in
                let (tap, co, g) = (index[0], index[1], index[2])
                out.line("var v = \(vector)()")
                out.line(Self.eachFilledLane(group: g, channels: cin, lanes: lanes) { l in "v[\(l)] = kernel[\((tap * cin + g * lanes + l) * cout + co)]" })
                out.line("kt[\((tap * cout + co) * groups + g)] = v")
            }
            Self.emitScratch("sums", of: vector, lanes: lanes, capacity: positions * groups, into: &out) { out in
                out.line("let acc = sums.baseAddress!")
                out.line("acc.initialize(repeating: \(vector)(), count: \(positions * groups))")
                Self.emitEveryTap(output: output, kernel: kernel, strides: strides, dilation: dilation, paddedWidth: paddedWidth,
                                  perPosition: groups, outputChannels: cout, into: &out) { out, ky, kx, at in
                    out.line("let kp = \(((ky * kernel.width + kx) * (cout * groups)).offsetting("kt"))")
                    out.loop("g", count: groups) { out, g in
                        out.line("var sum = acc[\(at + g)]")
                        out.line(Index.loopLine("co", count: cout) { co in "sum = madd(sum, \(vector)(repeating: dzp[\(co)]), kp[\(co * groups + g)])" })
                        out.line("acc[\(at + g)] = sum")
                    }
                }
                out.loops([("position", positions), ("g", groups)]) { out, index in
                    let (position, g) = (index[0], index[1])
                    out.line("let v = acc[\(position * groups + g)]")
                    out.line(Self.eachFilledLane(group: g, channels: cin, lanes: lanes) { l in "dx[\(position * cin + g * lanes + l)] = v[\(l)]" })
                }
            }
        }
    }

    /// A scratch buffer `name` of `capacity` vectors around `body`: on the
    /// stack up to 64 KB, on the heap beyond. withUnsafeTemporaryAllocation
    /// put cats_vs_dogs's 21 MB transposed Dense kernel on the model
    /// executable's 8 MB main-thread stack, which crashed its training.
    static func emitScratch(_ name: String, of vector: String, lanes: Int, capacity: Int, into out: inout SourceWriter,
                            body: (inout SourceWriter) -> Void) {
        if capacity * lanes * MemoryLayout<Float>.size <= 64 << 10 {
            out.temporaryAllocation(of: vector, capacity: capacity, named: name, body)
        } else {
            out.block("do") { out in
                out.line("let \(name) = UnsafeMutableBufferPointer<\(vector)>.allocate(capacity: \(capacity))")
                out.line("defer { \(name).deallocate() }")
                body(&out)
            }
        }
    }

    /// Loops over every output pixel and kernel tap, declaring `dzp` (that
    /// pixel's dL/dz), `ky`, `kx` and `at`: where the tap reads the padded
    /// input, in units of `perPosition` (channels, or vectors of them) a position.
    private static func emitEveryTap(output: Geometry, kernel: Size2D, strides: Size2D, dilation: Size2D, paddedWidth: Int,
                                     perPosition: Int, outputChannels: Int, into out: inout SourceWriter,
                                     body: (inout SourceWriter, _ ky: Index, _ kx: Index, _ at: Index) -> Void) {
        out.loops([("oy", output.height), ("ox", output.width)]) { out, pixel in
            let (oy, ox) = (pixel[0], pixel[1])
            out.line("let dzp = \(((oy * output.width + ox) * outputChannels).offsetting("dz"))")
            out.loops([("ky", kernel.height), ("kx", kernel.width)]) { out, tap in
                let (ky, kx) = (tap[0], tap[1])
                var at = ((oy * strides.height + ky * dilation.height) * paddedWidth + ox * strides.width + kx * dilation.width) * perPosition
                if at.constantValue == nil {
                    out.line("let at = \(at)")
                    at = Index("at")
                }
                body(&out, ky, kx, at)
            }
        }
    }

    /// `count` rows of `channels` floats into rows of `groups` vectors of `lanes`, the tail lanes 0.
    private func emitPaddedCopy(from source: String, count: Int, channels: Int, lanes: Int, groups: Int, into target: String, _ out: inout SourceWriter) {
        out.loops([("i", count), ("g", groups)]) { out, index in
            let (i, g) = (index[0], index[1])
            let at = "\(target)[\(i * groups + g)]"
            out.line("let from = \((i * channels + g * lanes).offsetting(source))")
            let whole = "from.simd(SIMD\(lanes)<Float>.self, at: 0)"
            switch Self.groupKind(g, channels: channels, lanes: lanes) {
            case .whole: out.line("\(at) = \(whole)")
            case .partial:
                out.line("var v = SIMD\(lanes)<Float>()")
                out.line(Index.loopLine("l", count: channels % lanes) { l in "v[\(l)] = from[\(l)]" })
                out.line("\(at) = v")
            case .either:
                out.line("var v = SIMD\(lanes)<Float>()")
                out.line("if g < \(channels / lanes) { v = \(whole) } else { " + Index.loopLine("l", count: channels % lanes) { l in "v[\(l)] = from[\(l)]" } + " }")
                out.line("\(at) = v")
            }
        }
    }

    /// Whether vector group `g` of `channels` in vectors of `lanes` is whole,
    /// the partial last one, or (a loop variable) either.
    private enum GroupKind { case whole, partial, either }

    private static func groupKind(_ g: Index, channels: Int, lanes: Int) -> GroupKind {
        if channels % lanes == 0 { return .whole }
        guard let group = g.constantValue else { return .either }
        return group < channels / lanes ? .whole : .partial
    }

    /// `statement` for each lane `l` of vector group `g` that holds a channel:
    /// every lane, but fewer in the last, partial group.
    private static func eachFilledLane(group g: Index, channels: Int, lanes: Int, _ statement: (Index) -> String) -> String {
        if let group = g.constantValue { return Index.loopLine("l", count: Swift.min(lanes, channels - group * lanes), statement) }
        let count = channels % lanes == 0 ? "\(lanes)" : "Swift.min(\(lanes), \(channels) - g * \(lanes))"
        return "for l in 0..<\(count) { \(statement(Index("l"))) }"
    }

    /// `target[0..<lanes] += value`, or only the real channels in the last, partial vector
    /// (a vector read-modify-write where the vector is whole; lane by lane otherwise).
    private func emitAccumulate(_ value: String, into target: String, group g: Index, channels: Int, lanes: Int, _ out: inout SourceWriter) {
        let whole = "\(target).store(\(target).simd(SIMD\(lanes)<Float>.self, at: 0) + \(value), at: 0)"
        let partial = Index.loopLine("l", count: channels % lanes) { l in "\(target)[\(l)] += \(value)[\(l)]" }
        switch Self.groupKind(g, channels: channels, lanes: lanes) {
        case .whole: out.line(whole)
        case .partial: out.line(partial)
        case .either: out.line("if g < \(channels / lanes) { \(whole) } else { \(partial) }")
        }
    }

    /// Copies the interior of a padded gradient (dropping the padding) into dx.
    private func emitCrop(name: String, hasInput: Bool, padding: Padding2D, into out: inout SourceWriter) {
        let input = inputGeometry
        let padded = TensorShape([input.height + padding.top + padding.bottom, input.width + padding.left + padding.right, input.channels])
        out.line("// \(layer.name): the gradient without its padding")
        CroppingEmitter(function: name, input: padded, cropping: padding, signature: hasInput ? .gradientAfterInput : .gradient).emit(into: &out)
        out.line()
    }

    /// Cropping2D's backward pass: the gradient with zeros where the cropped rows and columns were.
    private func emitCroppingBackward(_ cropping: Padding2D, into out: inout SourceWriter) {
        out.line("// \(layer.name): the gradient, with zeros where the cropped rows and columns were")
        PaddingEmitter(function: "\(function)_backward", input: layer.outputShape, padding: cropping).emit(into: &out)
        out.line()
    }

    // MARK: Pooling

    private func emitPoolingBackward(isMax: Bool, window: Size2D, strides: Size2D, into out: inout SourceWriter) {
        let input = inputGeometry, output = outputGeometry
        let padding = layer.padding ?? .zero
        let channels = input.channels
        out.line("// \(layer.name): \(isMax ? "each gradient to its window's first maximum" : "each gradient spread over its window's real cells")")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>)") { out in
            out.line("dx.update(repeating: 0, count: \(input.height * input.width * channels))")
            out.loop("oy", count: output.height) { out, oy in
                out.line("let top = \(oy * strides.height - padding.top)")
                out.line("let y0 = Swift.max(top, 0), y1 = Swift.min(top + \(window.height), \(input.height))")
                out.loop("ox", count: output.width) { out, ox in
                    out.line("let left = \(ox * strides.width - padding.left)")
                    out.line("let x0 = Swift.max(left, 0), x1 = Swift.min(left + \(window.width), \(input.width))")
                    out.line("let d = \(((oy * output.width + ox) * channels).offsetting("dy"))")
                    if isMax {
                        out.block("for c in 0..<\(channels)") { out in
                            out.line("var best = (y0 * \(input.width) + x0) * \(channels) + c")
                            out.block("for iy in y0..<y1") { out in
                                out.block("for ix in x0..<x1") { out in
                                    out.line("let at = \((Index("iy") * input.width + Index("ix")) * channels + Index("c"))")
                                    out.line("if x[at] > x[best] { best = at }")
                                }
                            }
                            out.line("dx[best] += d[c]")
                        }
                    } else {
                        out.line("let share = 1 / Float((y1 - y0) * (x1 - x0))")
                        out.block("for iy in y0..<y1") { out in
                            out.block("for ix in x0..<x1") { out in
                                out.line("let at = \((Index("iy") * input.width + Index("ix")) * channels)")
                                out.line(Index.loopLine("c", count: channels) { c in "dx[at\(c.added)] += d[\(c)] * share" })
                            }
                        }
                    }
                }
            }
        }
        out.line()
    }

    private func emitGlobalPoolingBackward(isMax: Bool, into out: inout SourceWriter) {
        let input = inputGeometry
        let positions = input.height * input.width
        let channels = input.channels
        out.line("// \(layer.name): \(isMax ? "each gradient to its channel's first maximum" : "each gradient spread evenly over the positions")")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>)") { out in
            if isMax {
                out.line("dx.update(repeating: 0, count: \(positions * channels))")
                out.block("for c in 0..<\(channels)") { out in
                    out.line("var best = c")
                    out.line("for position in 1..<\(max(positions, 1)) where x[position * \(channels) + c] > x[best] { best = position * \(channels) + c }")
                    out.line("dx[best] = dy[c]")
                }
            } else {
                out.loop("position", count: positions) { out, position in
                    out.line("for c in 0..<\(channels) { dx[\(position * channels + Index("c"))] = dy[c] / \(positions) }")
                }
            }
        }
        out.line()
    }

    // MARK: Activations

    /// A Conv2D or Dense layer's `_derivative`: from its output y, or from
    /// the pre-activation z kept in training (`_derivative(z, y, g)`) when the
    /// activation's derivative reads its input.
    private func emitFusedActivationDerivative(_ activation: Activation, into out: inout SourceWriter) {
        guard activation != .linear else { return }
        emitActivationDerivative(activation, from: activation.derivativeReadsInput ? "x, _ y" : "y", into: &out)
    }

    /// dL/dz from dL/dy in place, from the activation's output y or its input x.
    private func emitActivationDerivative(_ activation: Activation, from parameters: String, into out: inout SourceWriter) {
        let count = layer.outputShape.elementCount
        let channels = layer.outputShape.lastAxis
        emitDerivativeFunction(label: "its \(activation.rawValue) activation", readsInput: parameters != "y", into: &out) { out in
            switch activation {
            case .linear:
                out.line("// linear: the gradient passes unchanged")
            case .relu:
                out.line(count == 1 ? "if y[0] <= 0 { g[0] = 0 }" : "for i in 0..<\(count) where y[i] <= 0 { g[i] = 0 }")
            case .sigmoid:
                out.line(Index.loopLine("i", count: count) { i in "g[\(i)] *= y[\(i)] * (1 - y[\(i)])" })
            case .tanh:
                out.line(Index.loopLine("i", count: count) { i in "g[\(i)] *= 1 - y[\(i)] * y[\(i)]" })
            case .softmax:
                // dz_c = y_c (g_c − Σ_j g_j y_j), per position over the last axis.
                out.loop("position", count: count / channels) { out, position in
                    out.line("let v = \((position * channels).offsetting("y")), d = \((position * channels).offsetting("g"))")
                    out.line("var dot: Float = 0")
                    out.line(Index.loopLine("c", count: channels) { c in "dot += d[\(c)] * v[\(c)]" })
                    out.line(Index.loopLine("c", count: channels) { c in "d[\(c)] = v[\(c)] * (d[\(c)] - dot)" })
                }
            case .logSoftmax:
                // dz_c = g_c − e^(y_c) Σ_j g_j: e^y is the softmax.
                out.loop("position", count: count / channels) { out, position in
                    out.line("let v = \((position * channels).offsetting("y")), d = \((position * channels).offsetting("g"))")
                    out.line("var total: Float = 0")
                    out.line(Index.loopLine("c", count: channels) { c in "total += d[\(c)]" })
                    out.line(Index.loopLine("c", count: channels) { c in "d[\(c)] -= Foundation.exp(v[\(c)]) * total" })
                }
            default:
                if let derivative = activation.vectorDerivative {
                    out.line("VectorMath.multiply(g, byDerivative: \(derivative), at: x, count: \(count))")
                }
            }
        }
    }

    /// dL/dx = dL/dy · f'(x) with a `VectorMath` derivative, for a layer whose function has arguments (ELU's alpha).
    private func emitVectorDerivative(label: String, derivative: String, into out: inout SourceWriter) {
        emitDerivativeFunction(label: label, readsInput: true, into: &out) { out in
            out.line("VectorMath.multiply(g, byDerivative: \(derivative), at: x, count: \(layer.outputShape.elementCount))")
        }
    }

    /// `_derivative(y, g)`, or `_derivative(x, y, g)` when the derivative reads the input, around `body`.
    private func emitDerivativeFunction(label: String, readsInput: Bool, into out: inout SourceWriter, body: (inout SourceWriter) -> Void) {
        out.line("// \(layer.name): through \(label)")
        out.line("@inline(never)")
        let signature = readsInput
            ? "static func \(function)_derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)"
            : "static func \(function)_derivative(_ y: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)"
        out.block(signature, body)
        out.line()
    }

    /// Rescaling, Normalization and a frozen BatchNormalization (which Keras's
    /// fit runs in inference mode): y = x·scale + shift per channel, so dL/dx =
    /// dL/dy · scale, with Normalization's scale 1/max(sqrt(variance), ε)
    /// (inverted, its reciprocal) and BatchNormalization's γ/sqrt(moving
    /// variance + ε) read from their weights in `k`.
    private func emitScaleBackward(into out: inout SourceWriter) {
        let channels = layer.outputShape.lastAxis, count = layer.outputShape.elementCount
        var scale: [Double] = [1]
        var fromWeights: String?
        switch layer.operation {
        case .rescaling(let config):
            scale = config.scale
        case .normalization(let config):
            if let constants = config.constants {
                scale = constants.scaleShift(invert: config.invert).scale
            } else if case .featureNormalization(let packed)? = weights.packing[index] {
                let divisor = "Swift.max(k[\(offset(of: packed.varianceTensor)) + c].squareRoot(), Float(\(NormalizationConfig.epsilon)))"
                fromWeights = packed.invert ? divisor : "1 / \(divisor)"
            }
        case .batchNormalization(let config):
            if case .normalization(let packed)? = weights.packing[index] {
                let gamma = packed.gammaTensor.map { "k[\(offset(of: $0)) + c]" } ?? "1"
                fromWeights = "\(gamma) / (k[\(offset(of: packed.varianceTensor)) + c] + Float(\(config.epsilon))).squareRoot()"
            }
        default:
            break
        }
        out.line("// \(layer.name): dL/dx = dL/dy · scale")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ k: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)") { out in
            if fromWeights == nil && scale.count == 1 {
                out.line(Index.loopLine("i", count: count) { i in "g[\(i)] *= Float(\(scale[0]))" })
                return
            }
            func scaleEachPosition(_ out: inout SourceWriter) {
                out.loop("position", count: count / channels) { out, position in
                    out.line("let v = \((position * channels).offsetting("g"))")
                    out.line(Index.loopLine("c", count: channels) { c in "v[\(c)] *= scale[\(c)]" })
                }
            }
            guard let fromWeights else {
                out.line("let scale: [Float] = [\(scale.map { "\(Float($0))" }.joined(separator: ", "))]")
                scaleEachPosition(&out)
                return
            }
            // One scale per channel, on the stack: this runs once per sample and step.
            out.temporaryAllocation(of: "Float", capacity: channels, named: "scale") { out in
                out.line("for c in 0..<\(channels) { scale[c] = \(fromWeights) }")
                scaleEachPosition(&out)
            }
        }
        out.line()
    }

    /// The training pass's forward step of an activation layer, from its input
    /// into its output: both stay for the backward pass, where inference runs
    /// in place. One pass instead of a copy and then an in-place one (ResNet-20
    /// copied 188K floats a sample so, a third of its training step's copies).
    private func emitOutOfPlaceForward(label: String, step: String, into out: inout SourceWriter) {
        out.line("// \(layer.name): \(label), from its input into its output (training)")
        out.line("@inline(never)")
        out.block("static func \(function)_forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.line("for i in 0..<\(layer.outputShape.elementCount) { \(step) }")
        }
        out.line()
    }

    /// Whether the training pass's forward step of this layer is `_forward(x, y)`.
    static func runsForwardOutOfPlace(_ operation: LayerOperation) -> Bool {
        switch operation {
        case .relu, .activation(.relu): true
        default: false
        }
    }

    /// Keras's ReLU(max_value, negative_slope, threshold), differentiated at its input.
    private func emitReLUDerivative(_ config: ReLUConfig, into out: inout SourceWriter) {
        let count = layer.outputShape.elementCount
        let threshold = "Float(\(config.threshold))"
        var above = "1"
        if let maxValue = config.maxValue { above = "(v > 0 && v < Float(\(maxValue)) ? 1 : 0)" }
        out.line("// \(layer.name): through ReLU (slope \(config.negativeSlope) below \(config.threshold)\(config.maxValue.map { ", capped at \($0)" } ?? ""))")
        out.line("@inline(never)")
        out.block("static func \(function)_derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)") { out in
            out.line(Index.loopLine("i", count: count) { i in "let v = x[\(i)]; g[\(i)] *= v > \(threshold) ? \(above) : Float(\(config.negativeSlope))" })
        }
        out.line()
    }
}
