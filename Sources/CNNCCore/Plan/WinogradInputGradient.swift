/// dL/dx of a 3x3 stride-1 Conv2D by Winograd's F(2x2, 3x3) or F(4x4, 3x3)
/// (`WinogradTile.choice` for the size of dL/dx), in training.
///
/// dL/dx is a forward convolution of dL/dz, bordered with zeros, with the
/// kernel turned half a turn and its input and output channels swapped
/// (`InputGradientConvolution`), so the forward pass's Winograd kernel
/// computes it too, with 2.25x fewer multiply-adds than the direct one.
/// Its transformed kernel U' is derived from the weights once a step, not
/// once a sample, into the step weights every sample reads (they follow the
/// batch statistics: `TrainableModel.deriveStepWeights`). Turning the kernel
/// permutes G's rows (0 ↔ 3), so U'[ξ] is the forward pass's U at ξ's row
/// and column so permuted, transposed; it is computed from the Keras kernel
/// all the same, so that a layer whose forward pass is direct can use it too.
/// A first layer, whose dL/dx only a caller asking for the model's input
/// gradient reads, keeps the direct form: no U' to derive every step for it.
struct WinogradInputGradient: Codable, Hashable, Sendable {
    /// The layer whose dL/dx it computes.
    var layer: Int
    /// The layer's kernel in the parameter buffer, (3, 3, inputChannels, outputs).
    var kernelParameters: Int
    /// The layer's input and output channels (the convolution's outputs and inputs).
    var inputChannels: Int
    var outputs: Int
    /// Where U' and its zero bias start among the step weights.
    var stepWeightsOffset: Int
    /// The convolution, its U' at the start of the pointer it is handed, and
    /// the padding that borders dL/dz for it.
    var kernel: WinogradKernel

    /// U' (n² matrices of `outputs` rows x the padded input channels) and a bias of zeros.
    var stepWeightCount: Int { kernel.kernel.transforms * outputs * kernel.kernel.packed.paddedOutputs + kernel.kernel.packed.paddedOutputs }

    /// The layers whose dL/dx runs so, and how many step weights their kernels take.
    /// Calls of a layer that share its weights share their U' where they take
    /// the same tile; a call at another size may take the other tile
    /// (F(4x4) at 12x12, F(2x2) at 6x6), whose U' has other matrices, so U'
    /// is derived once for each tile a weight tensor's calls take. Layers
    /// that share kernels (`KernelSharing`) call the same function.
    static func plan(nodes: [NodeProgram], weights: WeightPlan, arena: TrainingArena, target: TargetCPU) -> (gradients: [WinogradInputGradient], stepWeightCount: Int) {
        /// A weight tensor's U' for one tile.
        struct Turned: Hashable {
            var parameters: Int
            var tile: WinogradTile
        }
        var gradients: [WinogradInputGradient] = []
        var offsets: [Turned: Int] = [:]
        var count = 0
        for node in nodes {
            let layer = node.layer
            guard case .conv2D(let config) = layer.operation, case .kernel(let packed)? = weights.packing[node.index],
                  layer.inputShape.rank == 3, InputGradientConvolution.applies(to: layer), !arena.writesInputGradient(node.index) else { continue }
            let (cin, cout) = (layer.inputShape.lastAxis, config.filters)
            let (height, width) = (layer.inputShape.dimensions[0], layer.inputShape.dimensions[1])
            guard WinogradConvolutionEmitter.suits(kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                                                   inputChannels: cout, outputs: cin),
                  !ConvolutionEmitter.isSmallOutput(height: height, width: width) else { continue }
            let lanes = WeightPlan.lanes(forOutputs: cin), paddedInputs = (cin + lanes - 1) / lanes * lanes
            // As the forward pass chooses (`WeightPlan`): F(2x2) where U' streams from memory for few tiles.
            let tile = WinogradTile.choice(outputHeight: height, outputWidth: width, channelPairs: cout * paddedInputs)
            let matrix = WeightPlan.PackedKernel(kernelTensor: 0, biasTensor: nil, rows: 9 * cout, outputs: cin, lanes: lanes,
                                                 paddedOutputs: paddedInputs, kernelOffset: 0, biasOffset: tile.products * cout * paddedInputs)
            let function = node.function + "_input_gradient_winograd"
            let convolution = WinogradConvolutionEmitter(function: function, inputChannels: cout, outputHeight: height, outputWidth: width,
                                                         packed: matrix, transformedOffset: 0, fusedReLU: false, tile: tile, target: target)
            // Zeros around dL/dz as the direct form has them, then the row and column an odd size needs.
            var border = InputGradientConvolution.border(kernel: config.kernelSize, dilation: config.dilationRate, padding: layer.padding ?? .zero)
            border.bottom += convolution.inputHeight - (layer.outputShape.dimensions[0] + border.top + border.bottom)
            border.right += convolution.inputWidth - (layer.outputShape.dimensions[1] + border.left + border.right)
            let parameters = weights.tensors[packed.kernelTensor].offset
            let turned = Turned(parameters: parameters, tile: tile)
            let offset = offsets[turned] ?? count
            let gradient = WinogradInputGradient(
                layer: node.index, kernelParameters: parameters, inputChannels: cin, outputs: cout, stepWeightsOffset: offset,
                kernel: WinogradKernel(kernel: convolution, padding: PaddingEmitter(function: function + "_pad", input: layer.outputShape, padding: border)))
            if offsets[turned] == nil {
                offsets[turned] = offset
                count += gradient.stepWeightCount
            }
            gradients.append(gradient)
        }
        return (gradients, count)
    }
}
