/// dL/dkernel of a Conv2D whose forward pass runs by Winograd, by the adjoint
/// of the same transforms (`WinogradKernelGradientEmitter`), in training.
struct WinogradKernelGradient: Codable, Hashable, Sendable {
    /// The layer whose dL/dkernel it computes.
    var layer: Int
    /// The forward Winograd kernel's padding, which gives the input its tiles read.
    var padding: PaddingEmitter
    var kernel: WinogradKernelGradientEmitter
    /// The layer's kernel in the parameter buffer, (3, 3, inputChannels, outputs).
    var kernelParameters: Int
    /// Where its S (n² matrices of input channels x filters) starts among the
    /// step gradients, after the parameters' gradients in `gradients`.
    var stepGradientOffset: Int

    var stepGradientCount: Int { kernel.transforms * kernel.inputChannels * kernel.outputs }

    /// Layers of fewer tiles of F(2x2) (outputs smaller than 7x7 or 8x8)
    /// keep the direct sums, whichever tile their forward pass runs by. S is
    /// summed over the whole batch and turned into dL/dkernel once a step,
    /// so a sample pays only the transforms and the products; while it was
    /// turned once a sample, ResNet-20's 8x8 layers (16 tiles) spent about as
    /// long on that as the direct sums took.
    static let minimumTiles = 16

    /// Every layer whose forward pass inference runs by Winograd, of at least
    /// `minimumTiles` tiles, and the floats of step gradients their S take.
    /// Layers that share kernels (`KernelSharing`) have the same geometry and
    /// the same place of their kernel among their weights, so they call one
    /// function, each with its own S; layers that share weights share their S,
    /// whose tile is the weight tensor's packing, chosen once for all its calls
    /// by `WeightPlan` (dL/dx's tile is chosen per call: `WinogradInputGradient`).
    static func plan(nodes: [NodeProgram], weights: WeightPlan, target: TargetCPU) -> (gradients: [WinogradKernelGradient], stepGradientCount: Int) {
        var gradients: [WinogradKernelGradient] = []
        var offsets: [Int: Int] = [:]
        var count = 0
        for node in nodes {
            guard case .convolution(let kernels) = node.kernel, let winograd = kernels.trainingWinograd,
                  case .conv2D = node.layer.operation, case .kernel(let packed)? = weights.packing[node.index],
                  (winograd.kernel.outputHeight + 1) / 2 * ((winograd.kernel.outputWidth + 1) / 2) >= minimumTiles,
                  winograd.kernel.outputs % WeightPlan.lanes(forOutputs: winograd.kernel.outputs) == 0 else { continue }
            let kernel = WinogradKernelGradientEmitter(
                function: node.function + "_kernel_gradient_winograd", inputChannels: winograd.kernel.inputChannels,
                outputs: winograd.kernel.outputs, outputHeight: winograd.kernel.outputHeight, outputWidth: winograd.kernel.outputWidth,
                target: target, tile: winograd.kernel.tile)
            let parameters = weights.tensors[packed.kernelTensor].offset
            let gradient = WinogradKernelGradient(layer: node.index, padding: winograd.padding, kernel: kernel,
                                                  kernelParameters: parameters, stepGradientOffset: offsets[parameters] ?? count)
            if offsets[parameters] == nil {
                offsets[parameters] = count
                count += gradient.stepGradientCount
            }
            gradients.append(gradient)
        }
        return (gradients, count)
    }
}
