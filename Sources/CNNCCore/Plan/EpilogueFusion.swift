/// Runs the BatchNormalization and activation layers that follow a
/// convolution in the convolution's store at inference, instead of as passes
/// of their own over its output (MobileNet's and ResNet's Conv2D →
/// BatchNormalization → ReLU: in MobileNetV2 those two passes took a quarter
/// of the time, each reading and writing the whole tensor again;
/// EfficientNet's swish after them a third of its time), and so does a
/// convolution's own activation other than ReLU.
///
/// The kernel computes each layer's step as that layer's own pass does
/// (`StoreEpilogue`), so the output is the same bits. The unfused kernels stay:
/// training calls them, and so does the forward pass when an observer (`cnnc
/// verify`, `--dump-layers`) asks for every layer's own output, which the
/// fused kernel never writes.
enum EpilogueFusion {
    /// Marks each DepthwiseConv2D (one filter per channel, `valid`) whose
    /// input is a ZeroPadding2D's output that nothing else reads, as MobileNet's
    /// stride-2 blocks have: its fused kernel reads the ZeroPadding2D's input
    /// and leaves out the padding's taps itself (`DepthwiseConvolutionEmitter.padding`),
    /// so the padded copy is not made unless an observer asks for it. Runs
    /// before memory planning, which keeps that input alive until the
    /// depthwise layer (`InferenceMemoryPlanner`).
    static func absorbPadding(_ nodes: inout [NodeProgram], model: CheckedModel, tailStart: Int?) {
        let readers = readers(model)
        for index in nodes.indices {
            guard case .convolution(var kernels) = nodes[index].kernel, kernels.winograd == nil, kernels.pointwise == nil,
                  kernels.padding == nil, kernels.activation == nil, case .depthwise(var kernel) = kernels.direct,
                  kernel.depthMultiplier == 1, kernel.padding == .zero,
                  case .layer(let padder)? = nodes[index].layer.inputs.first, padder < (tailStart ?? nodes.count),
                  readers[.layer(padder)] == [index], case .zeroPadding(let padding) = nodes[padder].kernel else { continue }
            kernel.function += "_fused"
            kernel.inputHeight = padding.input.dimensions[0]
            kernel.inputWidth = padding.input.dimensions[1]
            kernel.padding = padding.padding
            kernels.fused = .direct(.depthwise(kernel))
            nodes[index].kernel = .convolution(kernels)
            nodes[index].fusion = NodeFusion(followers: [], scaleShiftOffset: nil, absorbedPadding: padder)
            nodes[padder].fusedInto = index
        }
    }

    /// The layers that read each tensor, in order; the model's outputs are read at `layers.count`.
    private static func readers(_ model: CheckedModel) -> [TensorReference: [Int]] {
        var readers: [TensorReference: [Int]] = [:]
        for (index, layer) in model.layers.enumerated() {
            for input in layer.inputs { readers[input, default: []].append(index) }
        }
        for output in model.outputs { readers[output, default: []].append(model.layers.count) }
        return readers
    }

    /// Marks each convolution whose output only a BatchNormalization (then,
    /// optionally, an activation) or only an activation reads, in place, or
    /// that has an activation of its own other than ReLU, and gives it a
    /// fused copy of its last kernel. `tailStart`: the first layer of the
    /// block path's tail, which plans its layers again, so no fusion crosses it.
    static func fuse(_ nodes: inout [NodeProgram], model: CheckedModel, tailStart: Int?) {
        let readers = readers(model)
        /// The one layer that reads `index`'s output, if it is fusable into its store.
        func soleInPlaceReader(of index: Int) -> (index: Int, kind: ElementwiseEmitter.Kind)? {
            guard let only = readers[.layer(index)], only.count == 1, let next = only.first, next < nodes.count,
                  next < (tailStart ?? nodes.count), case .inPlace(let emitter) = nodes[next].kernel,
                  !nodes[next].copiesInputFirst, nodes[next].reads == nodes[next].writes else { return nil }
            return (next, emitter.kind)
        }
        for index in nodes.indices {
            // A merge (a ResNet's Add) and the ReLU after it: the fused function clamps as it stores.
            if case .merge(var merge) = nodes[index].kernel, let relu = soleInPlaceReader(of: index), let clamp = clamp(relu.kind) {
                merge.fusedClamp = clamp
                nodes[index].kernel = .merge(merge)
                nodes[index].fusion = NodeFusion(followers: [relu.index], scaleShiftOffset: nil)
                nodes[relu.index].fusedInto = index
                continue
            }
            guard case .convolution(var kernels) = nodes[index].kernel, fusableOperation(nodes[index].layer.operation) else { continue }
            let channels = nodes[index].layer.outputShape.lastAxis
            var epilogue = StoreEpilogue(scaleShift: false, clamp: nil, channels: channels)
            var followers: [Int] = []
            var scaleShiftOffset: Int?
            if let own = kernels.activation {
                // Its own activation (Conv2D(activation="tanh")) comes before
                // any layer after it, so it runs in the store alone.
                guard case .activation(let activation) = own.kind, let function = activation.storeFunction else { continue }
                epilogue.function = function
            } else {
                guard let first = soleInPlaceReader(of: index) else { continue }
                var activationCandidate: (index: Int, kind: ElementwiseEmitter.Kind)? = first
                if case .batchNormalization(let scale, let shift) = first.kind, shift == scale + channels {
                    epilogue.scaleShift = true
                    scaleShiftOffset = scale
                    followers.append(first.index)
                    activationCandidate = soleInPlaceReader(of: first.index)
                }
                if let activation = activationCandidate, let clamp = clamp(activation.kind) {
                    epilogue.clamp = clamp
                    followers.append(activation.index)
                } else if let activation = activationCandidate, case .activation(let function) = activation.kind,
                          let storeFunction = function.storeFunction {
                    epilogue.function = storeFunction
                    followers.append(activation.index)
                }
                guard !followers.isEmpty else { continue }
            }
            guard let fused = fusedKernel(kernels, epilogue: epilogue) else { continue }
            kernels.fused = fused
            nodes[index].kernel = .convolution(kernels)
            var fusion = nodes[index].fusion ?? NodeFusion(followers: [], scaleShiftOffset: nil)
            fusion.followers = followers
            fusion.scaleShiftOffset = scaleShiftOffset
            fusion.ownActivation = kernels.activation != nil
            nodes[index].fusion = fusion
            for follower in followers { nodes[follower].fusedInto = index }
        }
    }

    /// Marks each BatchNormalization that runs alone (after a merge or a
    /// concatenation, as in DenseNet and the pre-activation ResNets) and
    /// whose output only a ReLU reads, in place: its fused function applies
    /// the ReLU in the same pass, reading the normalization's input even
    /// where its own function would first copy it (`ElementwiseEmitter.emitFused`).
    /// Runs after `fuse`, which gives a convolution's BatchNormalization to its store.
    static func fuseNormalizations(_ nodes: inout [NodeProgram], model: CheckedModel, tailStart: Int?) {
        let readers = readers(model)
        for index in nodes.indices where index < (tailStart ?? nodes.count) && nodes[index].fusedInto == nil {
            guard case .inPlace(var emitter) = nodes[index].kernel, emitter.takesClamp,
                  let only = readers[.layer(index)], only.count == 1, let next = only.first, next < (tailStart ?? nodes.count),
                  case .inPlace(let reader) = nodes[next].kernel, !nodes[next].copiesInputFirst,
                  nodes[next].reads == nodes[next].writes, let clamp = clamp(reader.kind) else { continue }
            emitter.fusedClamp = clamp
            nodes[index].kernel = .inPlace(emitter)
            nodes[index].fusion = NodeFusion(followers: [next], scaleShiftOffset: nil)
            nodes[next].fusedInto = index
        }
    }

    /// Convolutions of images: Dense layers belong to the block path's tail,
    /// and Conv2DTranspose's kernel writes its output by scattering, not by stores of finished sums.
    private static func fusableOperation(_ operation: LayerOperation) -> Bool {
        switch operation {
        case .conv2D, .depthwiseConv2D, .separableConv2D: true
        default: false
        }
    }

    /// The ReLUs a store can apply as their own pass does.
    private static func clamp(_ kind: ElementwiseEmitter.Kind) -> StoreEpilogue.Clamp? {
        switch kind {
        case .activation(.relu): .activationReLU
        case .relu(let config) where config.threshold == 0 && config.negativeSlope == 0: .relu(maxValue: config.maxValue)
        default: nil
        }
    }

    /// The kernel that writes the layer's output, again, with `epilogue` and
    /// its own name; nil for the kernels that have no store to fuse into.
    private static func fusedKernel(_ kernels: ConvolutionKernels, epilogue: StoreEpilogue) -> FusedKernel? {
        // A depthwise kernel that reads past a ZeroPadding2D already has its fused copy.
        if case .direct(.depthwise(var kernel))? = kernels.fused {
            kernel.epilogue = epilogue
            return .direct(.depthwise(kernel))
        }
        if var pointwise = kernels.pointwise {
            pointwise.function += "_fused"
            pointwise.epilogue = epilogue
            return .pointwise(pointwise)
        }
        if var winograd = kernels.winograd?.kernel {
            winograd.productsOf = winograd.function
            winograd.function += "_fused"
            winograd.epilogue = epilogue
            return .winograd(winograd)
        }
        switch kernels.direct {
        case .channelLanes(var kernel):
            kernel.function += "_fused"
            kernel.epilogue = epilogue
            return .direct(.channelLanes(kernel))
        case .depthwise(var kernel) where kernel.depthMultiplier == 1:
            kernel.function += "_fused"
            kernel.epilogue = epilogue
            return .direct(.depthwise(kernel))
        case .pixelLanes(var kernel):
            kernel.function += "_fused"
            kernel.epilogue = epilogue
            return .direct(.pixelLanes(kernel))
        case .chunkLanes(var kernel):
            kernel.function += "_fused"
            kernel.epilogue = epilogue
            return .direct(.chunkLanes(kernel))
        case .pixelPairs(var kernel):
            kernel.function += "_fused"
            kernel.epilogue = epilogue
            return .direct(.pixelPairs(kernel))
        case .depthwise, .transposed:
            return nil
        }
    }
}

/// A convolution's fused kernel: its last kernel with the layers after it in its store.
enum FusedKernel: Codable, Hashable, Sendable {
    case direct(DirectConvolution)
    case winograd(WinogradConvolutionEmitter)
    /// SeparableConv2D's 1x1 step.
    case pointwise(ConvolutionEmitter)

    var function: String {
        switch self {
        case .direct(let kernel): kernel.function
        case .winograd(let kernel): kernel.function
        case .pointwise(let kernel): kernel.function
        }
    }

    func emit(into out: inout SourceWriter) {
        switch self {
        case .direct(let kernel): kernel.emit(into: &out)
        case .winograd(let kernel): kernel.emit(into: &out)
        case .pointwise(let kernel): kernel.emit(into: &out)
        }
    }
}

/// Which layers a convolution's fused kernel runs, and where the
/// BatchNormalization's folded scale and shift are in the packed weights.
struct NodeFusion: Codable, Hashable, Sendable {
    var followers: [Int]
    var scaleShiftOffset: Int?
    /// The ZeroPadding2D before it whose input its fused kernel reads instead of its output.
    var absorbedPadding: Int? = nil
    /// Whether the fused kernel applies the layer's own activation, which
    /// then has no pass of its own after it.
    var ownActivation = false
}
