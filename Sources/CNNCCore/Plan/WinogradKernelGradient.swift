/// dL/dkernel of a Conv2D whose forward pass runs by Winograd, by the adjoint
/// of the same transforms (`WinogradKernelGradientEmitter`), in training.
struct WinogradKernelGradient: Codable, Hashable, Sendable {
    /// The layer whose dL/dkernel it computes.
    var layer: Int
    /// The forward Winograd kernel's padding, which gives the input its tiles read.
    var padding: PaddingEmitter
    var kernel: WinogradKernelGradientEmitter

    /// S (16 matrices of input channels x filters) is written, read and
    /// transformed once a sample, whatever the tiles: ResNet-20's 8x8 layers
    /// (16 tiles) spent about as long on that as the direct sums took, and the
    /// step was 1% faster without them (93.2 against 92.2 ms on Zen 3).
    static let minimumTiles = 64

    /// Every layer whose forward pass inference runs by Winograd, of at least `minimumTiles` tiles. Layers that
    /// share kernels (`KernelSharing`) have the same geometry and the same
    /// place of their kernel among their weights, so they call one function.
    static func plan(nodes: [NodeProgram], weights: WeightPlan, target: TargetCPU) -> [WinogradKernelGradient] {
        nodes.compactMap { node in
            guard case .convolution(let kernels) = node.kernel, let winograd = kernels.winograd,
                  case .conv2D = node.layer.operation, case .kernel(let packed)? = weights.packing[node.index],
                  winograd.kernel.tileRows * winograd.kernel.tileColumns >= minimumTiles,
                  winograd.kernel.outputs % WeightPlan.lanes(forOutputs: winograd.kernel.outputs) == 0 else { return nil }
            let kernel = WinogradKernelGradientEmitter(
                function: node.function + "_kernel_gradient_winograd", inputChannels: winograd.kernel.inputChannels,
                outputs: winograd.kernel.outputs, outputHeight: winograd.kernel.outputHeight, outputWidth: winograd.kernel.outputWidth,
                kernelOffset: weights.tensors[packed.kernelTensor].offset - (node.weightBase?.parameters ?? 0), target: target)
            return WinogradKernelGradient(layer: node.index, padding: winograd.padding, kernel: kernel)
        }
    }
}
