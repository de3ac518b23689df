/// dL/dx of a stride-1 convolution, computed as a forward convolution: dL/dz
/// bordered with zeros, convolved with the kernel turned half a turn and its
/// input and output channels swapped. Same padding's backward is then the same
/// padding with its sides swapped, and valid padding's is full padding.
///
/// Why: the other form (`BackwardEmitter.emitInputGradient`) adds each output
/// pixel's products to the input positions it read, one vector of input
/// channels at a time, a chain of dependent multiply-adds as long as the
/// filters: bound by their latency, at a quarter of the FMA units' rate, and
/// a third of ResNet-20's training step. As a convolution it gets the forward
/// pass's register blocks (`ConvolutionEmitter`): several pixels and channel
/// vectors summed side by side, each weight vector loaded once per block.
/// The sums run over taps and filters in another order, so dL/dx differs
/// from the scattered form in its last bits, not in what it computes.
struct InputGradientConvolution {
    /// The backward function that calls it; the convolution is `\(name)_input_gradient`.
    var name: String
    var kernel: Size2D
    var dilation: Size2D
    /// The layer's input (dL/dx without its padding) and output (dL/dz).
    var input: BackwardEmitter.Geometry
    var output: BackwardEmitter.Geometry
    /// The forward pass's padding. `dx` is the unpadded input's size: no `_unpad` follows.
    var padding: Padding2D
    var target: TargetCPU

    /// Strided layers keep the scattered form: their gradient is a convolution
    /// only phase by phase. So does padding wider than the kernel's reach,
    /// which no Keras layer has.
    static func applies(strides: Size2D, kernel: Size2D, dilation: Size2D, padding: Padding2D) -> Bool {
        let reach = reach(of: kernel, dilation: dilation)
        return strides == .square(1) && max(padding.top, padding.bottom) <= reach.height && max(padding.left, padding.right) <= reach.width
    }

    /// Whether a Conv2D's `_backward` computes dL/dx so, and so writes it
    /// without the padding (the training step then calls no `_unpad`).
    static func applies(to layer: CheckedLayer) -> Bool {
        guard case .conv2D(let config) = layer.operation else { return false }
        return applies(strides: config.strides, kernel: config.kernelSize, dilation: config.dilationRate, padding: layer.padding ?? .zero)
    }

    /// How many rows and columns past the first a dilated kernel's window spans.
    private static func reach(of kernel: Size2D, dilation: Size2D) -> Size2D {
        Size2D((kernel.height - 1) * dilation.height, (kernel.width - 1) * dilation.width)
    }

    var function: String { "\(name)_input_gradient" }
    private var taps: Int { kernel.height * kernel.width }
    private var lanes: Int { WeightPlan.lanes(forOutputs: input.channels) }
    private var paddedInputs: Int { (input.channels + lanes - 1) / lanes * lanes }

    /// Zeros around dL/dz: the kernel's reach less the forward padding on the
    /// same side, so that a valid convolution over it is exactly the unpadded input's size.
    private var border: Padding2D { Self.border(kernel: kernel, dilation: dilation, padding: padding) }

    /// dL/dx[i] = Σ_t dz[i + top − t]·kernel[t]: `reach − top` zeros before
    /// dL/dz's first row, and so on each side.
    static func border(kernel: Size2D, dilation: Size2D, padding: Padding2D) -> Padding2D {
        let reach = reach(of: kernel, dilation: dilation)
        return Padding2D(top: reach.height - padding.top, bottom: reach.height - padding.bottom,
                         left: reach.width - padding.left, right: reach.width - padding.right)
    }
    private var borderedHeight: Int { output.height + border.top + border.bottom }
    private var borderedWidth: Int { output.width + border.left + border.right }
    private var flippedCount: Int { taps * output.channels * paddedInputs }
    private var borderedCount: Int { borderedHeight * borderedWidth * output.channels }

    private var convolution: ConvolutionEmitter {
        let packed = WeightPlan.PackedKernel(kernelTensor: 0, biasTensor: nil, rows: taps * output.channels, outputs: input.channels,
                                             lanes: lanes, paddedOutputs: paddedInputs, kernelOffset: 0, biasOffset: 0)
        var convolution = ConvolutionEmitter(function: function, inputHeight: borderedHeight, inputWidth: borderedWidth,
                                             inputChannels: output.channels, kernel: kernel, strides: .square(1), dilation: dilation,
                                             outputHeight: input.height, outputWidth: input.width, packed: packed, fusedReLU: false,
                                             target: target, startsFromZero: true)
        // The border's rows are zeros: each output row skips the kernel rows that read only them.
        if border.top > 0 || border.bottom > 0 { convolution.zeroRows = .init(top: border.top, bottom: border.bottom) }
        return convolution
    }

    /// The convolution itself, a function beside the backward one.
    func emitFunction(into out: inout SourceWriter) {
        out.line("// dL/dx as a forward convolution of dL/dz bordered with zeros (\(borderedHeight)x\(borderedWidth)x\(output.channels)),")
        out.line("// with the kernel turned half a turn and its channels swapped")
        convolution.emit(into: &out)
        out.line()
    }

    /// Inside the backward function, where `kernel` is the layer's kernel in
    /// Keras's layout and `dz` and `dx` (not optional, the unpadded input's size) are in scope.
    func emitCall(into out: inout SourceWriter) {
        let (cin, cout) = (input.channels, output.channels)
        out.line("// dL/dx: dL/dz bordered with zeros, convolved with the kernel turned half a turn (see \(function))")
        BackwardEmitter.emitScratch("scratch", of: "Float", lanes: 1, capacity: flippedCount + borderedCount, into: &out) { out in
            out.line("let flipped = scratch.baseAddress!, bordered = flipped + \(flippedCount)")
            // Row (tap, filter) of the turned kernel: that filter's weights over the input
            // channels at the opposite tap, then zeros up to a whole vector.
            out.loop("tap", count: taps) { out, tap in
                var opposite = Index(taps - 1)
                if let value = tap.constantValue {
                    opposite = Index(taps - 1 - value)
                } else {
                    out.line("let opposite = \(taps - 1) - tap")
                    opposite = Index("opposite")
                }
                out.loop("co", count: cout) { out, co in
                    out.line("let from = \((opposite * (cin * cout) + co).offsetting("kernel")), to = \(((tap * cout + co) * paddedInputs).offsetting("flipped"))")
                    out.line(Index.loopLine("ci", count: cin) { ci in "to[\(ci)] = from[\(ci * cout)]" })
                    if paddedInputs > cin { out.line(Index.loopLine("ci", count: paddedInputs - cin) { ci in "to[\(ci + cin)] = 0" }) }
                }
            }
            out.line("bordered.initialize(repeating: 0, count: \(borderedCount))")
            out.loop("oy", count: output.height) { out, oy in
                let row = PointerExpression.parenthesized(((oy + border.top) * (borderedWidth * cout) + border.left * cout).offsetting("bordered"))
                out.line("\(row).update(from: \((oy * (output.width * cout)).offsetting("dz")), count: \(output.width * cout))")
            }
            out.line("Self.\(function)(UnsafePointer(bordered), UnsafePointer(flipped), dx)")
        }
    }
}
