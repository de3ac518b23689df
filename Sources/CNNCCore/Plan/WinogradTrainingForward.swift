/// The training forward pass of a 3x3 stride-1 Conv2D whose inference runs
/// by Winograd's F(4x4, 3x3): by F(2x2, 3x3) instead.
///
/// F(4x4)'s rounding errors are several times F(2x2)'s (`WinogradTile`),
/// and training magnifies them: BatchNormalization divides by the batch's
/// standard deviation, which is small beside the mean of ReLU outputs. On
/// ResNet-20's one-step fixture (SGD, learning rate 0.1) the weights after
/// the step differed from Keras's by up to 1.8e-5 with F(4x4) in the forward
/// pass, against 2.4e-7 with F(2x2); Keras in float32 differs from Keras in
/// float64 by 1.3e-7. So the forward pass of training keeps F(2x2), its U
/// derived from the weights once a step into the step weights (after the
/// turned kernels of `WinogradInputGradient`), with the bias after it. dL/dx
/// by F(4x4) moved that step by nothing measurable (3.7e-7), so it keeps it.
struct WinogradTrainingForward: Codable, Hashable, Sendable {
    /// The layer whose forward pass it computes.
    var layer: Int
    /// The layer's kernel and bias in the parameter buffer.
    var kernelParameters: Int
    var biasParameters: Int?
    /// Where U and the bias start among the step weights.
    var stepWeightsOffset: Int
    /// The convolution (U at the start of the pointer it is handed) and the
    /// padding that gives its tiles their input.
    var kernel: WinogradKernel

    var inputChannels: Int { kernel.kernel.inputChannels }
    var outputs: Int { kernel.kernel.outputs }
    var paddedOutputs: Int { kernel.kernel.packed.paddedOutputs }
    /// U (16 matrices of input channels x padded outputs) and the padded bias.
    var stepWeightCount: Int { WinogradTile.two.products * inputChannels * paddedOutputs + paddedOutputs }

    /// Every layer whose inference runs by F(4x4), with its step weights from
    /// `firstOffset` on, and the floats they take. Layers that share their
    /// weights share their U: their F(2x2) U has the same layout at any size,
    /// and whether they run by F(4x4) at all is the weight tensor's packing,
    /// which `WeightPlan` chooses once for all its calls (unlike dL/dx's tile,
    /// chosen per call: `WinogradInputGradient`); layers that share kernels (`KernelSharing`)
    /// call one function, named after their shared inference kernel.
    static func plan(nodes: [NodeProgram], weights: WeightPlan, firstOffset: Int) -> (forwards: [WinogradTrainingForward], stepWeightCount: Int) {
        var forwards: [WinogradTrainingForward] = []
        var offsets: [Int: Int] = [:]
        var count = 0
        for node in nodes {
            guard case .convolution(let kernels) = node.kernel, let winograd = kernels.trainingWinograd, winograd.kernel.tile != .two,
                  case .kernel(let packed)? = weights.packing[node.index] else { continue }
            var forward = winograd.kernel
            forward.function += "_training"
            forward.tile = .two
            forward.epilogue = nil
            forward.productsOf = nil
            forward.transformedOffset = 0
            forward.packed.kernelOffset = 0
            // The step weights hold U in rows (`WeightPacking.winograd` without panels).
            forward.packed.winogradPanels = false
            forward.packed.biasOffset = WinogradTile.two.products * forward.inputChannels * forward.packed.paddedOutputs
            var padding = winograd.padding
            padding.function = forward.function + "_pad"
            padding.padding.bottom += forward.inputHeight - padding.paddedHeight
            padding.padding.right += forward.inputWidth - padding.paddedWidth
            let parameters = weights.tensors[packed.kernelTensor].offset
            let offset = offsets[parameters] ?? firstOffset + count
            let planned = WinogradTrainingForward(
                layer: node.index, kernelParameters: parameters, biasParameters: packed.biasTensor.map { weights.tensors[$0].offset },
                stepWeightsOffset: offset, kernel: WinogradKernel(kernel: forward, padding: padding))
            if offsets[parameters] == nil {
                offsets[parameters] = offset
                count += planned.stepWeightCount
            }
            forwards.append(planned)
        }
        return (forwards, count)
    }
}
