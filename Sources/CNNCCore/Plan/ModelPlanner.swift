/// The plan stage: a checked model in, a `ModelProgram` out. The one walk over
/// the layers that decides, for inference, each layer's kernel and geometry,
/// the buffers it reads and writes and how far it splits across workers;
/// the block path's tail; and (through `TrainingPlanner`) the training step.
public enum ModelPlanner {
    /// The program for `model`; `specPath` names it in the generated header and type,
    /// and `target` is the CPU kind its register blocks are shaped for.
    /// Every checked model compiles for inference; training, the graphs
    /// `CheckedModel.trainingGap` allows.
    public static func plan(_ model: CheckedModel, specPath: String, target: TargetCPU) -> ModelProgram {
        // Weights keep Keras's names and layouts (a Conv1D kernel is (k, cin, filters));
        // the kernels see sequences as images of one row.
        let weights = WeightPlan(model: model, target: target)
        let keras = model
        let model = model.loweredToImages
        var nodes: [NodeProgram] = []
        var vectorWidths: Set<Int> = []
        for (index, layer) in model.layers.enumerated() {
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name)
            // Buffers are filled in by InferenceMemoryPlanner below.
            var node = NodeProgram(index: index, layer: layer, kerasInputShape: keras.layers[index].inputShape,
                                   kerasOutputShape: keras.layers[index].outputShape, function: function, kernel: .nothing,
                                   reads: .input(0), writes: .input(0), copiesInputFirst: false)
            switch layer.operation {
            case .conv2D, .depthwiseConv2D, .conv2DTranspose, .dense:
                guard case .kernel(let absolute)? = weights.packing[index], let base = weightBase(index, weights) else { break }
                // The kernels read the layer's own weights, handed to them by the caller.
                node.weightBase = base
                let packed = absolute.rebased(packedBy: base.packed, tensorsBy: absolute.kernelTensor)
                let kernels = convolutionKernels(layer, function: function, packed: packed, zerosAround: zeroPadding(before: layer, in: model),
                                                 target: target)
                // The backward pass reads the packing's vectors of filters, which the
                // forward kernel may split into narrower ones (`ConvolutionEmitter.lanes`).
                vectorWidths.formUnion(kernels.direct.vectorWidths.union([packed.lanes]))
                // Winograd's transforms multiply-add vectors of their own widths.
                if let winograd = kernels.winograd?.kernel { vectorWidths.formUnion([winograd.channelLanes, winograd.outputLanes]) }
                // The backward pass keeps input channels in lanes for dL/dx.
                vectorWidths.insert(WeightPlan.lanes(forOutputs: layer.inputShape.lastAxis))
                node.kernel = .convolution(kernels)
            case .separableConv2D(let config):
                guard case .separable(let absoluteDepthwise, let absolutePointwise)? = weights.packing[index],
                      let base = weightBase(index, weights) else { break }
                node.weightBase = base
                let tensors = absoluteDepthwise.kernelTensor
                let depthwise = absoluteDepthwise.rebased(packedBy: base.packed, tensorsBy: tensors)
                let pointwise = absolutePointwise.rebased(packedBy: base.packed, tensorsBy: tensors)
                let kernels = separableKernels(layer, config, function: function, depthwise: depthwise, pointwise: pointwise, target: target)
                vectorWidths.formUnion(kernels.direct.vectorWidths.union([pointwise.lanes, WeightPlan.lanes(forOutputs: depthwise.outputs)]))
                node.kernel = .convolution(kernels)
            case .maxPooling2D(let config), .averagePooling2D(let config):
                let kind: PoolingEmitter.Kind = if case .maxPooling2D = layer.operation { .max } else { .average }
                node.kernel = .pooling(PoolingEmitter(function: function, kind: kind, input: layer.inputShape, output: layer.outputShape,
                                                      window: config.poolSize, strides: config.strides, padding: layer.padding ?? .zero))
            case .globalAveragePooling2D, .globalMaxPooling2D:
                let kind: PoolingEmitter.Kind = if case .globalMaxPooling2D = layer.operation { .max } else { .average }
                node.kernel = .globalPooling(GlobalPoolingEmitter(function: function, kind: kind, input: layer.inputShape))
            case .zeroPadding2D(let padding):
                node.kernel = .zeroPadding(PaddingEmitter(function: function, input: layer.inputShape, padding: padding))
            case .merge(let operation):
                node.kernel = .merge(MergeEmitter(function: function, operation: operation,
                                                  inputShapes: layer.inputs.map(model.shape(of:)), outputShape: layer.outputShape))
            case .concatenate(let config):
                let shapes = layer.inputs.map(model.shape(of:))
                // The checker has resolved the axis; a sample always has one.
                let axis = config.sampleAxis(rank: layer.outputShape.rank) ?? layer.outputShape.rank - 1
                node.kernel = .concatenate(ConcatenateEmitter(function: function, inputShapes: shapes, outputShape: layer.outputShape, axis: axis))
            case .cropping2D(let cropping):
                node.kernel = .cropping(CroppingEmitter(function: function, input: layer.inputShape, cropping: cropping))
            case .upSampling2D(let config):
                node.kernel = .upSampling(UpSamplingEmitter(function: function, input: layer.inputShape, config: config))
            case .resizing(let config):
                node.kernel = .resizing(ResizingEmitter(function: function, input: layer.inputShape, config: config))
            case .permute(let config):
                node.kernel = .permute(PermuteEmitter(function: function, input: layer.inputShape, order: config.order))
            case .repeatVector(let config):
                node.kernel = .repeatVector(RepeatVectorEmitter(function: function, features: layer.inputShape.lastAxis, copies: config.n))
            case .flatten, .reshape, .dropout, .identityAtInference:
                break
            case .oneDimensional, .layerScale:
                break  // none left: `loweredToImages` made each its 2D counterpart
            case .activation, .softmax, .relu, .elu, .batchNormalization, .layerNormalization, .prelu, .rescaling, .normalization:
                guard let kind = elementwiseKind(layer, index: index, weights: weights) else { break }
                node.kernel = .inPlace(ElementwiseEmitter(function: function, kind: kind, shape: layer.outputShape))
            }
            nodes.append(node)
        }
        // The tail's vector layers are the same in both forms; Keras's names their shapes in comments.
        var batchedTail = BatchedTailPlanner.plan(keras, weights: weights, target: target)
        EpilogueFusion.absorbPadding(&nodes, model: model, tailStart: batchedTail?.start)
        var memory = InferenceMemoryPlanner.plan(model, nodes: nodes)
        EpilogueFusion.fuse(&memory.nodes, model: model, tailStart: batchedTail?.start)
        EpilogueFusion.fuseNormalizations(&memory.nodes, model: model, tailStart: batchedTail?.start)
        KernelSharing.share(&memory.nodes)
        if var tail = batchedTail {
            BatchedTailPlanner.planLayerMajorKernels(&tail, nodes: &memory.nodes, arena: memory.arena)
            batchedTail = tail
        }
        var training = TrainingPlanner.plan(model, weights: weights, nodes: memory.nodes)
        if training.unsupportedReason == nil {
            (training.winogradInputGradients, training.stepWeightCount) = WinogradInputGradient.plan(nodes: memory.nodes, weights: weights, arena: training.arena, target: target)
            (training.winogradKernelGradients, training.stepGradientCount) = WinogradKernelGradient.plan(nodes: memory.nodes, weights: weights, target: target)
            let forwards = WinogradTrainingForward.plan(nodes: memory.nodes, weights: weights, firstOffset: training.stepWeightCount)
            training.winogradTrainingForwards = forwards.forwards
            training.stepWeightCount += forwards.stepWeightCount
        }
        training.arena.reserveWinograd(for: memory.nodes, inputGradients: training.winogradInputGradients,
                                       kernelGradients: training.winogradKernelGradients, trainingForwards: training.winogradTrainingForwards)
        // Training's Winograd kernels multiply-add and transform vectors of their own widths too.
        for kernel in training.winogradInputGradients.map(\.kernel.kernel) + training.winogradTrainingForwards.map(\.kernel.kernel) {
            vectorWidths.formUnion([kernel.channelLanes, kernel.outputLanes])
        }
        vectorWidths.formUnion(training.winogradKernelGradients.map { [$0.kernel.channelLanes, $0.kernel.transformLanes] }.joined())
        // Where a register holds 8 floats, a kernel packed for vectors of 16 may
        // run in vectors of 8 (`ConvolutionEmitter.lanes`): a 1x1 step's, dL/dx's.
        if target.registerLanes == 8 && vectorWidths.contains(16) { vectorWidths.insert(8) }
        return ModelProgram(
            modelName: model.name, specPath: specPath, typeName: SwiftNames.typeName(forSpecPath: specPath),
            inputLayout: keras.inputLayout, outputLayout: keras.outputLayout, parameterCount: model.parameters, flops: model.flops,
            weights: weights, nodes: memory.nodes, arena: memory.arena, results: memory.results,
            batchedTail: batchedTail,
            training: training, vectorWidths: vectorWidths.sorted(), target: target)
    }

    /// Where layer `index`'s weights start in both buffers.
    private static func weightBase(_ index: Int, _ weights: WeightPlan) -> WeightBase? {
        guard let packed = weights.layerPacked[index], let parameters = weights.layerParameters[index] else { return nil }
        return WeightBase(packed: packed.lowerBound, parameters: parameters.lowerBound)
    }

    /// What an in-place layer computes; BatchNormalization and Normalization by
    /// its weights read their folded scale and shift, LayerNormalization and
    /// PReLU their weights' copies in the packed buffer.
    static func elementwiseKind(_ layer: CheckedLayer, index: Int, weights: WeightPlan) -> ElementwiseEmitter.Kind? {
        switch weights.packing[index] {
        case .normalization(let packed)?: .batchNormalization(scaleOffset: packed.scaleOffset, shiftOffset: packed.shiftOffset)
        case .featureNormalization(let packed)?: .batchNormalization(scaleOffset: packed.scaleOffset, shiftOffset: packed.shiftOffset)
        case .layerNormalization(let gamma, let beta)?:
            if case .layerNormalization(let config) = layer.operation {
                .layerNormalization(LayerNormalizationEmitter(epsilon: config.epsilon, gammaOffset: gamma?.offset, betaOffset: beta?.offset))
            } else { nil }
        case .prelu(let alpha)?: .prelu(PReLUEmitter(alphaShape: weights.tensors[alpha.tensor].shape, alphaOffset: alpha.offset))
        default: ElementwiseEmitter.Kind(layer.operation)
        }
    }

    /// The zeros a ZeroPadding2D put around a layer's input, when that is what
    /// it reads: ResNetV2's 3x3 convolutions are 'valid' on a padded copy a
    /// ZeroPadding2D made, where ResNet's are 'same'.
    private static func zeroPadding(before layer: CheckedLayer, in model: CheckedModel) -> Padding2D? {
        guard case .layer(let source)? = layer.inputs.first, case .zeroPadding2D(let amounts) = model.layers[source].operation else { return nil }
        return amounts
    }

    /// `zerosAround`: the zeros a ZeroPadding2D left around the input
    /// (`zeroPadding(before:in:)`), which a flat block skips with its own
    /// 'same' padding's taps (`ConvolutionEmitter.padding`): at 4x4 pixels a
    /// 3x3 kernel reads them in 31% of its multiply-adds, at 2x2 in 56%.
    private static func convolutionKernels(_ layer: CheckedLayer, function: String, packed: WeightPlan.PackedKernel, zerosAround: Padding2D?,
                                           target: TargetCPU) -> ConvolutionKernels {
        var padding: PaddingEmitter?
        if let amounts = layer.padding, amounts != .zero {
            padding = PaddingEmitter(function: function + "_pad", input: layer.inputShape, padding: amounts)
        }
        var direct = directConvolution(layer, function: function, packed: packed, target: target)
        if case .channelLanes(var kernel) = direct, kernel.padding == .zero, let zerosAround {
            kernel.padding = zerosAround
            direct = .channelLanes(kernel)
        }
        let winograd = winogradKernel(layer, function: function + "_winograd", packed: packed, target: target)
        let activation = layer.operation.fusedActivation
        let post = activation == .linear || activation == .relu ? nil
            : ElementwiseEmitter(function: function + "_activation", kind: .activation(activation), shape: layer.outputShape)
        return ConvolutionKernels(padding: padding, direct: direct, winograd: winograd, activation: post,
                                  splitParts: splitParts(winograd?.kernel.parts ?? direct.parts, layer))
    }

    /// SeparableConv2D: the depthwise kernel into the layer's intermediate
    /// region, then a 1x1 Conv2D kernel from there with the bias and the
    /// activation. Split across workers, a worker runs both steps on the same
    /// rows, so the rows of the depthwise result it reads are still in its
    /// cache; on a small output the depthwise step runs whole on one core and
    /// the 1x1 step's groups of channels are split.
    private static func separableKernels(_ layer: CheckedLayer, _ config: SeparableConv2DConfig, function: String,
                                         depthwise: WeightPlan.PackedKernel, pointwise: WeightPlan.PackedKernel, target: TargetCPU) -> ConvolutionKernels {
        let padding = layer.padding ?? .zero
        let (height, width) = (layer.outputShape.dimensions[0], layer.outputShape.dimensions[1])
        // Training's backward pass pads the input in any case; inference's depthwise
        // step, with one filter per channel, leaves out the padding's taps itself.
        let padder = padding == .zero ? nil : PaddingEmitter(function: function + "_pad", input: layer.inputShape, padding: padding)
        let padsItself = config.depthMultiplier == 1
        let first = DepthwiseConvolutionEmitter(
            function: function + "_depthwise",
            inputHeight: layer.inputShape.dimensions[0] + (padsItself ? 0 : padding.top + padding.bottom),
            inputWidth: layer.inputShape.dimensions[1] + (padsItself ? 0 : padding.left + padding.right),
            inputChannels: layer.inputShape.lastAxis, depthMultiplier: config.depthMultiplier,
            kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
            outputHeight: height, outputWidth: width, packed: depthwise, fusedReLU: false, padding: padsItself ? padding : .zero,
            target: target)
        var second = ConvolutionEmitter(
            function: function + "_pointwise", inputHeight: height, inputWidth: width, inputChannels: depthwise.outputs,
            kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: height, outputWidth: width,
            packed: pointwise, fusedReLU: config.activation == .relu, target: target)
        // It runs on the rows the depthwise step has just written (`rowsPerBlock`),
        // unless the output is small: then its parts are groups of channels
        // (`flatOutput`), after the depthwise step has written every row.
        second.keepsRowParts = true
        let post = config.activation == .linear || config.activation == .relu ? nil
            : ElementwiseEmitter(function: function + "_activation", kind: .activation(config.activation), shape: layer.outputShape)
        if second.flatOutput {
            return ConvolutionKernels(padding: padder, direct: .depthwise(first), winograd: nil, pointwise: second,
                                      activation: post, splitParts: splitParts(second.parts, layer))
        }
        let split = first.parts == second.parts ? splitParts(second.parts, layer) : 1
        return ConvolutionKernels(padding: padder, direct: .depthwise(first), winograd: nil, pointwise: second,
                                  rowsPerBlock: rowsPerBlock(height: height, rowBytes: width * depthwise.outputs * MemoryLayout<Float>.size),
                                  activation: post, splitParts: split)
    }

    /// A depthwise result above 256 KB (Xception's first, 627 KB) would leave
    /// the L2 cache of the smaller cores before the 1x1 step reads it back: in
    /// blocks of 64 KB of rows, each block is read while still in cache.
    private static func rowsPerBlock(height: Int, rowBytes: Int) -> Int? {
        guard height > 1, height * rowBytes > 256 << 10 else { return nil }
        let rows = max(1, (64 << 10) / max(rowBytes, 1))
        return rows < height ? rows : nil
    }

    /// The parts to split a layer's kernel into across workers, or 1 to keep
    /// it on one core: splitting pays only for a layer of at least 0.5 MFLOPs
    /// and 8 FLOPs per byte it writes, because the next layer then reads
    /// half its input from the other core's cache (splitting mnist_convnet's
    /// first convolution, 0.4 MFLOPs for 86 KB, made a sample slower).
    private static func splitParts(_ parts: Int, _ layer: CheckedLayer) -> Int {
        let outputBytes = layer.outputShape.elementCount * MemoryLayout<Float>.size
        return layer.flops >= 500_000 && layer.flops >= 8 * outputBytes ? parts : 1
    }

    /// The Winograd kernel for a 3x3 stride-1 Conv2D (or a Conv1D, by its
    /// `WinogradLine`) whose weights were packed for it, with the layer's
    /// padding plus the rows and columns of zeros the last tiles reach past
    /// the output, so that every tile's patch lies inside the padded input.
    private static func winogradKernel(_ layer: CheckedLayer, function: String, packed: WeightPlan.PackedKernel, target: TargetCPU) -> WinogradKernel? {
        guard case .conv2D(let config) = layer.operation, let transformed = packed.winogradOffset else { return nil }
        let kernel = WinogradConvolutionEmitter(
            function: function, inputChannels: layer.inputShape.lastAxis,
            outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
            packed: packed, transformedOffset: transformed, fusedReLU: config.activation == .relu,
            tile: packed.winogradTile, target: target, line: packed.winogradLine)
        var padding = layer.padding ?? .zero
        padding.bottom += kernel.inputHeight - (layer.inputShape.dimensions[0] + padding.top + padding.bottom)
        padding.right += kernel.inputWidth - (layer.inputShape.dimensions[1] + padding.left + padding.right)
        return WinogradKernel(kernel: kernel, padding: PaddingEmitter(function: function + "_pad", input: layer.inputShape, padding: padding))
    }

    /// The direct kernel for a Conv2D, DepthwiseConv2D or Dense layer: output pixels in lanes where that
    /// suits the layer (see `PixelLaneConvolutionEmitter`), output channels otherwise.
    private static func directConvolution(_ layer: CheckedLayer, function: String, packed: WeightPlan.PackedKernel, target: TargetCPU) -> DirectConvolution {
        let padding = layer.padding ?? .zero
        switch layer.operation {
        case .depthwiseConv2D(let config):
            // One filter per channel: the kernel leaves out the padding's taps itself, with no padded copy.
            let padsItself = config.depthMultiplier == 1
            return .depthwise(DepthwiseConvolutionEmitter(
                function: function,
                inputHeight: layer.inputShape.dimensions[0] + (padsItself ? 0 : padding.top + padding.bottom),
                inputWidth: layer.inputShape.dimensions[1] + (padsItself ? 0 : padding.left + padding.right),
                inputChannels: layer.inputShape.lastAxis, depthMultiplier: config.depthMultiplier,
                kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
                packed: packed, fusedReLU: config.activation == .relu, padding: padsItself ? padding : .zero, target: target))
        case .conv2DTranspose(let config):
            return .transposed(TransposedConvolutionEmitter(function: function, layer: layer, config: config, packed: packed, target: target))
        case .conv2D(let config):
            // WeightPlan packs the phased patterns (and the chunked kernel) for exactly the layers that suit their kernels.
            if let phased = packed.phasedOffset {
                return .pixelLanes(PixelLaneConvolutionEmitter(
                    function: function, inputWidth: layer.inputShape.dimensions[1] + padding.left + padding.right,
                    kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                    outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
                    packed: packed, phasedOffset: phased, fusedReLU: config.activation == .relu, target: target))
            }
            if let chunked = packed.chunkedOffset {
                return .chunkLanes(ChunkLaneConvolutionEmitter(
                    function: function, inputWidth: layer.inputShape.dimensions[1] + padding.left + padding.right,
                    inputChannels: layer.inputShape.lastAxis, kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                    outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
                    packed: packed, chunkedOffset: chunked, fusedReLU: config.activation == .relu))
            }
            let (inputHeight, inputWidth) = (layer.inputShape.dimensions[0] + padding.top + padding.bottom,
                                             layer.inputShape.dimensions[1] + padding.left + padding.right)
            if packed.panelWidth == nil, packed.paddedOutputs == 8,
               PixelPairConvolutionEmitter.suits(target: target, outputs: config.filters, kernel: config.kernelSize,
                                                 strides: config.strides, outputWidth: layer.outputShape.dimensions[1]) {
                return .pixelPairs(PixelPairConvolutionEmitter(
                    function: function, inputHeight: inputHeight, inputWidth: inputWidth, inputChannels: layer.inputShape.lastAxis,
                    kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                    outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
                    packed: packed, fusedReLU: config.activation == .relu))
            }
            return .channelLanes(ConvolutionEmitter(
                function: function,
                inputHeight: layer.inputShape.dimensions[0] + padding.top + padding.bottom,
                inputWidth: layer.inputShape.dimensions[1] + padding.left + padding.right,
                inputChannels: layer.inputShape.lastAxis, kernel: config.kernelSize, strides: config.strides,
                dilation: config.dilationRate, outputHeight: layer.outputShape.dimensions[0],
                outputWidth: layer.outputShape.dimensions[1], packed: packed, padding: padding, fusedReLU: config.activation == .relu,
                target: target))
        default:
            // Dense over a vector is a 1x1 convolution of a 1x1 image; over an
            // image it is a 1x1 convolution of that image, as Keras computes it.
            let dimensions = layer.inputShape.dimensions
            let height = dimensions.count == 3 ? dimensions[0] : 1
            let width = dimensions.count == 3 ? dimensions[1] : (dimensions.count == 2 ? dimensions[0] : 1)
            return .channelLanes(ConvolutionEmitter(
                function: function, inputHeight: height, inputWidth: width, inputChannels: layer.inputShape.lastAxis,
                kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: height, outputWidth: width,
                packed: packed, fusedReLU: layer.operation.fusedActivation == .relu, target: target))
        }
    }
}
