/// Plans the block path's tail (see `BatchedTailProgram`).
enum BatchedTailPlanner {
    /// nil when the tail holds no Dense layer, so there is no weight to share.
    static func plan(_ model: CheckedModel, weights: WeightPlan, target: TargetCPU) -> BatchedTailProgram? {
        // In a graph, the tail is the chain at its end: each layer reads the one
        // before it, the first reads the head's result, the last is the output.
        guard model.outputs == [.layer(model.layers.count - 1)] else { return nil }
        var start = model.layers.count
        while start > 0, isVectorLayer(model.layers[start - 1]),
              model.layers[start - 1].inputs == [start == 1 ? .input(0) : .layer(start - 2)] { start -= 1 }
        let layers = model.layers[start...]
        guard layers.contains(where: { if case .dense = $0.operation { true } else { isOnePixelDense($0) } }) else { return nil }
        let samples = BatchedTailProgram.samples
        var steps: [TailStep] = []
        var current = TailRegion.ta
        for (index, layer) in zip(layers.indices, layers) {
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name) + "_block"
            let rows = TensorShape([samples, layer.outputShape.elementCount])
            var step = TailStep(index: index, layer: layer, kernel: .nothing, reads: current, writes: current)
            // A Conv2D on one pixel is a Dense layer (`isOnePixelDense`), packed as one.
            let dense: Activation? = switch layer.operation {
            case .dense(let config): config.activation
            case .conv2D(let config) where isOnePixelDense(layer): config.activation
            default: nil
            }
            switch dense {
            case let activation?:
                guard case .kernel(let packed)? = weights.packing[index] else { break }
                let kernel = ConvolutionEmitter(
                    function: function, inputHeight: 1, inputWidth: samples, inputChannels: layer.inputShape.lastAxis,
                    kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: 1, outputWidth: samples,
                    packed: packed, fusedReLU: activation == .relu,
                    blocking: BatchedTailProgram.blocking(lanes: packed.lanes, target: target), target: target)
                let post = activation == .linear || activation == .relu ? nil
                    : ElementwiseEmitter(function: function + "_activation", kind: .activation(activation), shape: rows)
                step.kernel = .dense(kernel, activation: post)
                step.writes = current.other
            case nil:
                guard let kind = ModelPlanner.elementwiseKind(layer, index: index, weights: weights) else { break }
                step.kernel = .inPlace(ElementwiseEmitter(function: function, kind: kind, shape: rows))
            }
            current = step.writes
            steps.append(step)
        }
        let inputWidth = layers.first?.inputShape.elementCount ?? 0
        return BatchedTailProgram(
            start: start, layerMajorStart: layerMajorStart(model, before: start),
            startLayerName: model.layers[start].name, inputWidth: inputWidth,
            width: layers.reduce(inputWidth) { max($0, $1.outputShape.elementCount) }, steps: steps, result: current)
    }

    /// The first of the layers before the tail that run layer by layer over
    /// the block. A layer whose output has few pixels uses each weight only a
    /// few times per sample, so one sample at a time it is bound by reading its
    /// weights: EfficientNetB0's 1x1 convolutions on 2x2 pixels (1.6 MB of
    /// weights for the last) ran at 18 GFLOP/s, and batching gained nothing.
    /// Run for every sample of the block before the next layer, a layer's
    /// weights are read from memory once a block and from cache for the other
    /// samples, while its tensors, which one sample at a time would have
    /// passed to the next layer in cache, go out to the L3 cache and back.
    /// So the run is the one, among those that end at the tail, whose
    /// convolutions' weights most outweigh twice the floats they read and
    /// write (weighed once, MobileNetV2's 6x6 stage joined the run and the
    /// model ran 7% slower, part of which was the eight arenas of its head,
    /// since mended; ResNet50 at 64x64: its 4x4 and 8x8 stages, 0.25 to
    /// 2.4 MB of weights a layer against 16K to 40K floats; not its 16x16
    /// stage, nor ResNet-20's small kernels on 32x32 pixels), within
    /// `layerMajorFloats` per sample for every layer, and only where its
    /// weights outgrow an L2 cache (`layerMajorWeights`).
    static func layerMajorStart(_ model: CheckedModel, before start: Int) -> Int {
        var first = start, balance = 0, best = 0
        for index in stride(from: start - 1, through: 0, by: -1) {
            let layer = model.layers[index]
            let floats = layer.inputs.reduce(layer.outputShape.elementCount) { $0 + model.shape(of: $1).elementCount }
            guard floats <= layerMajorFloats else { break }
            // Layers without a kernel mostly run in a kernel's store, or cost the same either way.
            switch layer.operation {
            case .conv2D, .depthwiseConv2D, .separableConv2D, .conv2DTranspose, .dense: balance += layer.parameters - 2 * floats
            default: break
            }
            if balance > best { (first, best) = (index, balance) }
        }
        let weights = model.layers[first..<start].reduce(0) { $0 + $1.parameters }
        return weights >= layerMajorWeights ? first : start
    }

    /// 512 KB per sample: 4 MB for a block of 8, in the L3 cache of every target.
    static let layerMajorFloats = 128 << 10
    /// 1 MB of weights: less stays in the L2 cache from sample to sample anyway.
    static let layerMajorWeights = 256 << 10

    /// The layer-major run's kernels over every sample of a block: a
    /// convolution with a flat output that gains from it
    /// (`ConvolutionEmitter.gainsFromSampleBlocks`) and reads and writes the
    /// arena computes all samples in one call, each
    /// arena `arena.total` floats after the one before. The run is left
    /// out when it would end in the block's input: each sample's result must
    /// be in its own arena.
    static func planLayerMajorKernels(_ tail: inout BatchedTailProgram, nodes: inout [NodeProgram], arena: InferenceArena) {
        if !tail.headResult(in: nodes).isRegion { tail.layerMajorStart = tail.start }
        for index in tail.layerMajorStart..<tail.start {
            guard case .convolution(var kernels) = nodes[index].kernel, kernels.winograd == nil, kernels.pointwise == nil,
                  case .region = nodes[index].writes else { continue }
            let last: ConvolutionEmitter?
            switch (kernels.fused, kernels.direct) {
            case (.direct(.channelLanes(let kernel))?, _), (nil, .channelLanes(let kernel)): last = kernel
            default: last = nil
            }
            // The input each sample reads: its padded copy, or what the layer (or a
            // ZeroPadding2D it reads past) reads, which must be in the sample's arena.
            let source = kernels.fused == nil ? nodes[index].reads : nodes[index].fusion?.absorbedPadding.map { nodes[$0].reads } ?? nodes[index].reads
            let readsArena = (kernels.padding != nil && nodes[index].padded != nil) || source.isRegion
            guard var kernel = last, kernel.gainsFromSampleBlocks, readsArena else { continue }
            kernel.function += "_samples"
            kernel.sampleBlocks = ConvolutionEmitter.SampleBlocks(samples: BatchedTailProgram.samples, stride: arena.total)
            kernels.overSamples = kernel
            nodes[index].kernel = .convolution(kernels)
        }
    }

    /// A layer that maps one vector per sample to another; Flatten turns the
    /// last image into that vector without moving a value. An image of one
    /// pixel is such a vector too, as MobileNet's and MobileNetV3's heads
    /// have it after a GlobalAveragePooling2D that keeps its axes: Dropout,
    /// a value-by-value activation and a 1x1 Conv2D (`isOnePixelDense`) on it,
    /// then a Reshape or Flatten to the classes. Their weights (MobileNet's
    /// 1x1 layers on 6x6 and 3x3 pixels, 1–4 MB each) then join the
    /// layer-major run before the tail, as a Dense head's would.
    private static func isVectorLayer(_ layer: CheckedLayer) -> Bool {
        if isOnePixelPass(layer) { return true }
        return switch layer.operation {
        case .flatten: true
        case .reshape: layer.outputShape.rank == 1
        case .dense, .activation, .relu, .elu, .softmax, .batchNormalization, .layerNormalization, .prelu, .dropout, .identityAtInference,
             .rescaling, .normalization:
            layer.inputShape.rank == 1
        case .conv2D: isOnePixelDense(layer)
        default: false
        }
    }

    /// Dropout and the activations that work value by value, on one pixel.
    private static func isOnePixelPass(_ layer: CheckedLayer) -> Bool {
        switch layer.operation {
        case .activation(let activation): isOnePixel(layer.inputShape) && activation != .softmax && activation != .logSoftmax
        case .relu, .elu, .dropout, .identityAtInference, .rescaling: isOnePixel(layer.inputShape)
        default: false
        }
    }

    /// A 1x1 Conv2D on one pixel: a Dense layer from the input's channels to
    /// its filters, its kernel (1, 1, channels, filters) a Dense kernel's bytes.
    static func isOnePixelDense(_ layer: CheckedLayer) -> Bool {
        guard case .conv2D(let config) = layer.operation, config.groups == 1 else { return false }
        return config.kernelSize == .square(1) && isOnePixel(layer.inputShape) && isOnePixel(layer.outputShape)
    }

    /// An image of 1x1 pixels.
    private static func isOnePixel(_ shape: TensorShape) -> Bool {
        shape.rank == 3 && shape.dimensions[0] == 1 && shape.dimensions[1] == 1
    }
}
