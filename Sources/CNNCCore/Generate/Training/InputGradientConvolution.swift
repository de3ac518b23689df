/// dL/dx of a convolution, computed as forward convolutions: dL/dz bordered
/// with zeros, convolved with the kernel turned half a turn and its input and
/// output channels swapped. Same padding's backward is then the same padding
/// with its sides swapped, and valid padding's is full padding.
///
/// A strided layer's dL/dx is such a convolution phase by phase: the input
/// positions whose row is py and column px modulo the strides receive only
/// the taps ky ≡ py and kx ≡ px (ResNet-20's 3x3 stride-2 layers: 2x2, 2x1,
/// 1x2 and 1x1 of them), each from dL/dz at stride 1. So each phase is a
/// stride-1 convolution of its own sub-kernel that writes every stride-th
/// position of every stride-th row of dL/dx. A phase that no tap reaches (a
/// 1x1 stride-2 kernel's odd rows) is zeros.
///
/// Why: the other form (`BackwardEmitter.emitInputGradient`) adds each output
/// pixel's products to the input positions it read, one vector of input
/// channels at a time, a chain of dependent multiply-adds as long as the
/// filters: bound by their latency, at a quarter of the FMA units' rate, and
/// a third of ResNet-20's training step before its stride-1 layers moved
/// here (its stride-2 layers ran at 25 GFLOP/s in it, a twentieth of the
/// step, until they did too). As a convolution it gets the forward pass's
/// register blocks (`ConvolutionEmitter`): several pixels and channel
/// vectors summed side by side, each weight vector loaded once per block.
/// The sums run over taps and filters in another order, so dL/dx differs
/// from the scattered form in its last bits, not in what it computes.
struct InputGradientConvolution {
    /// The backward function that calls it; the convolutions are `\(name)_input_gradient` (and `_phase…`).
    var name: String
    var kernel: Size2D
    var strides: Size2D
    var dilation: Size2D
    /// The layer's input (dL/dx without its padding) and output (dL/dz).
    var input: BackwardEmitter.Geometry
    var output: BackwardEmitter.Geometry
    /// The forward pass's padding. `dx` is the unpadded input's size: no `_unpad` follows.
    var padding: Padding2D
    var target: TargetCPU

    /// Padding wider than the kernel's reach, which no Keras layer has, keeps
    /// the scattered form, as does a kernel both strided and dilated (Keras
    /// refuses those).
    static func applies(strides: Size2D, kernel: Size2D, dilation: Size2D, padding: Padding2D) -> Bool {
        let reach = reach(of: kernel, dilation: dilation)
        return (strides == .square(1) || dilation == .square(1))
            && max(padding.top, padding.bottom) <= reach.height && max(padding.left, padding.right) <= reach.width
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

    /// dL/dx[i] = Σ_t dz[i + top − t]·kernel[t] at stride 1: `reach − top`
    /// zeros before dL/dz's first row, and so on each side.
    static func border(kernel: Size2D, dilation: Size2D, padding: Padding2D) -> Padding2D {
        let reach = reach(of: kernel, dilation: dilation)
        return Padding2D(top: reach.height - padding.top, bottom: reach.height - padding.bottom,
                         left: reach.width - padding.left, right: reach.width - padding.right)
    }

    /// One axis of one phase: the input positions p, p + stride, … (of the
    /// padded input) inside the unpadded input, the taps ≡ p that reach them,
    /// and where its convolution starts reading dL/dz bordered by `before` zeros.
    struct PhaseAxis: Equatable {
        /// The phase, 0..<stride.
        var phase: Int
        /// Its taps (`tap · stride + phase`), the sub-kernel's size on this axis.
        var taps: Int
        /// Its first position, in steps of the stride from `phase`, and how many.
        var first: Int
        var count: Int
        /// The sub-kernel's span less one, in dL/dz's positions.
        var reach: Int

        init(phase: Int, stride: Int, kernel: Int, dilation: Int, paddingBefore: Int, size: Int) {
            self.phase = phase
            taps = stride == 1 ? kernel : max(0, (kernel - phase + stride - 1) / stride)
            // Positions phase + stride·a with paddingBefore ≤ it < paddingBefore + size.
            first = max(0, paddingBefore - phase + stride - 1) / stride
            count = max(0, (paddingBefore + size - phase + stride - 1) / stride - first)
            reach = max(0, taps - 1) * (stride == 1 ? dilation : 1)
        }

        /// dL/dx at position a (of this phase) sums dz[a − t] over its taps t: from dz's row a − reach.
        /// `before`: the zeros above dL/dz in the bordered buffer.
        func start(before: Int) -> Int { first - reach + before }
        /// The bordered buffer's rows this phase reads, past its zeros before.
        var end: Int { first + count }
    }

    private var function: String { "\(name)_input_gradient" }
    private var lanes: Int { WeightPlan.lanes(forOutputs: input.channels) }
    private var paddedInputs: Int { (input.channels + lanes - 1) / lanes * lanes }
    private var isStrided: Bool { strides != .square(1) }

    private func axes(stride: Int, kernel: Int, dilation: Int, paddingBefore: Int, size: Int) -> [PhaseAxis] {
        (0..<stride).map { PhaseAxis(phase: $0, stride: stride, kernel: kernel, dilation: dilation, paddingBefore: paddingBefore, size: size) }
    }
    private var rowPhases: [PhaseAxis] {
        axes(stride: strides.height, kernel: kernel.height, dilation: dilation.height, paddingBefore: padding.top, size: input.height)
    }
    private var columnPhases: [PhaseAxis] {
        axes(stride: strides.width, kernel: kernel.width, dilation: dilation.width, paddingBefore: padding.left, size: input.width)
    }
    /// Every phase with a tap and a position.
    private var phases: [(row: PhaseAxis, column: PhaseAxis)] {
        rowPhases.flatMap { row in columnPhases.map { (row, $0) } }.filter { $0.row.taps * $0.column.taps * $0.row.count * $0.column.count > 0 }
    }
    /// Whether some input position gets no tap (and so is zero).
    private var leavesZeros: Bool {
        phases.map { $0.row.count * $0.column.count }.reduce(0, +) < input.height * input.width
    }

    /// Zeros before dL/dz (rows, columns): as many as the phase that reads furthest before it needs.
    private var before: (rows: Int, columns: Int) {
        (max(0, rowPhases.map { $0.reach - $0.first }.max() ?? 0), max(0, columnPhases.map { $0.reach - $0.first }.max() ?? 0))
    }
    private var borderedHeight: Int { before.rows + max(output.height, rowPhases.map(\.end).max() ?? 0) }
    private var borderedWidth: Int { before.columns + max(output.width, columnPhases.map(\.end).max() ?? 0) }
    private var borderedCount: Int { borderedHeight * borderedWidth * output.channels }
    /// Whether dL/dz needs zeros around it at all: a 1x1 stride-2 kernel's single phase reads it as it is.
    private var isBordered: Bool { borderedHeight != output.height || borderedWidth != output.width }

    private func phaseFunction(_ row: PhaseAxis, _ column: PhaseAxis) -> String {
        isStrided ? "\(function)_phase\(row.phase)_\(column.phase)" : function
    }
    private func turnedCount(_ row: PhaseAxis, _ column: PhaseAxis) -> Int { row.taps * column.taps * output.channels * paddedInputs }
    private var turnedTotal: Int { phases.map { turnedCount($0.row, $0.column) }.reduce(0, +) }

    private func convolution(_ row: PhaseAxis, _ column: PhaseAxis) -> ConvolutionEmitter {
        let taps = row.taps * column.taps
        let packed = WeightPlan.PackedKernel(kernelTensor: 0, biasTensor: nil, rows: taps * output.channels, outputs: input.channels,
                                             lanes: lanes, paddedOutputs: paddedInputs, kernelOffset: 0, biasOffset: 0)
        let height = row.count + row.reach, start = row.start(before: before.rows)
        var convolution = ConvolutionEmitter(function: phaseFunction(row, column), inputHeight: height, inputWidth: borderedWidth,
                                             inputChannels: output.channels, kernel: Size2D(row.taps, column.taps), strides: .square(1),
                                             dilation: isStrided ? .square(1) : dilation,
                                             outputHeight: row.count, outputWidth: column.count, packed: packed, fusedReLU: false,
                                             target: target, startsFromZero: true)
        // The border's rows are zeros: each output row skips the kernel rows that read only them.
        let top = max(0, before.rows - start), bottom = max(0, start + height - (before.rows + output.height))
        if top > 0 || bottom > 0 { convolution.zeroRows = .init(top: top, bottom: bottom) }
        if isStrided { convolution.outputPitch = .init(row: strides.height * input.width, pixel: strides.width) }
        return convolution
    }

    /// The convolutions themselves, functions beside the backward one.
    func emitFunction(into out: inout SourceWriter) {
        out.line("// dL/dx as a forward convolution of dL/dz bordered with zeros (\(borderedHeight)x\(borderedWidth)x\(output.channels)),")
        out.line("// with the kernel turned half a turn and its channels swapped" + (isStrided ? ", phase by phase of the strides" : ""))
        for (row, column) in phases {
            if isStrided {
                out.line("// Input rows \(row.phase) and columns \(column.phase) modulo the strides: taps from (\(row.phase), \(column.phase)) every stride")
            }
            convolution(row, column).emit(into: &out)
            out.line()
        }
    }

    /// Inside the backward function, where `kernel` is the layer's kernel in
    /// Keras's layout and `dz` and `dx` (not optional, the unpadded input's size) are in scope.
    func emitCall(into out: inout SourceWriter) {
        let (cin, cout) = (input.channels, output.channels)
        out.line("// dL/dx: dL/dz bordered with zeros, convolved with the kernel turned half a turn (see \(function))")
        let bordered = isBordered ? borderedCount : 0
        BackwardEmitter.emitScratch("scratch", of: "Float", lanes: 1, capacity: turnedTotal + bordered, into: &out) { out in
            out.line("let flipped = scratch.baseAddress!" + (isBordered ? ", bordered = flipped + \(turnedTotal)" : ""))
            var turnedOffset = 0
            var kernels: [Int] = []
            for (row, column) in phases {
                kernels.append(turnedOffset)
                emitTurnedKernel(row, column, at: turnedOffset, cin: cin, cout: cout, into: &out)
                turnedOffset += turnedCount(row, column)
            }
            if isBordered {
                out.line("bordered.initialize(repeating: 0, count: \(borderedCount))")
                out.loop("oy", count: output.height) { out, oy in
                    let row = PointerExpression.parenthesized(((oy + before.rows) * (borderedWidth * cout) + before.columns * cout).offsetting("bordered"))
                    out.line("\(row).update(from: \((oy * (output.width * cout)).offsetting("dz")), count: \(output.width * cout))")
                }
            }
            if leavesZeros { out.line("dx.initialize(repeating: 0, count: \(input.height * input.width * cin))") }
            for ((row, column), kernelOffset) in zip(phases, kernels) {
                let from = (row.start(before: before.rows) * borderedWidth + column.start(before: before.columns)) * cout
                // The phase's first position in dL/dx (the unpadded input).
                let y = row.phase + strides.height * row.first - padding.top, x = column.phase + strides.width * column.first - padding.left
                let into = Index((y * input.width + x) * cin).offsetting("dx")
                // Unbordered, dL/dz is read as it is, from the phase's first row and column all the same
                // (k3 s3 'same' on 13 rows: phase 0's first position takes dL/dz's row 1).
                let source = isBordered ? "UnsafePointer(\(Index(from).offsetting("bordered")))" : (from == 0 ? "dz" : "dz + \(from)")
                out.line("Self.\(phaseFunction(row, column))(\(source), UnsafePointer(\(Index(kernelOffset).offsetting("flipped"))), \(into))")
            }
        }
    }

    /// Row (tap, filter) of a phase's turned kernel: that filter's weights over
    /// the input channels at the opposite tap of the phase, then zeros up to a whole vector.
    private func emitTurnedKernel(_ row: PhaseAxis, _ column: PhaseAxis, at offset: Int, cin: Int, cout: Int, into out: inout SourceWriter) {
        let taps = row.taps * column.taps
        // The phase's tap (t, u), turned, is the kernel's (phase + stride·(taps − 1 − t), …):
        // kernel tap last − down·t − across·u, the last being its tap (taps − 1, taps − 1).
        let last = (row.phase + strides.height * (row.taps - 1)) * kernel.width + column.phase + strides.width * (column.taps - 1)
        let (down, across) = (strides.height * kernel.width, strides.width)
        out.loop("tap", count: taps) { out, tap in
            var opposite = Index(0)
            if let value = tap.constantValue {
                opposite = Index(last - down * (value / column.taps) - across * (value % column.taps))
            } else {
                let step = column.taps == 1 ? down : row.taps == 1 || down == across * column.taps ? across : nil
                let term = step.map { $0 == 1 ? "tap" : "\($0) * tap" }
                    ?? "\(down) * (tap / \(column.taps)) - \(across) * (tap % \(column.taps))"
                out.line("let opposite = \(last) - \(term)")
                opposite = Index("opposite")
            }
            out.loop("co", count: cout) { out, co in
                out.line("let from = \((opposite * (cin * cout) + co).offsetting("kernel")), to = \((Index(offset) + (tap * cout + co) * paddedInputs).offsetting("flipped"))")
                out.line(Index.loopLine("ci", count: cin) { ci in "to[\(ci)] = from[\(ci * cout)]" })
                if paddedInputs > cin { out.line(Index.loopLine("ci", count: paddedInputs - cin) { ci in "to[\(ci + cin)] = 0" }) }
            }
        }
    }
}
