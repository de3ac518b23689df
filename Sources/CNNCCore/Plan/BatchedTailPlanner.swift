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
        guard layers.contains(where: { if case .dense = $0.operation { true } else { false } }) else { return nil }
        let samples = BatchedTailProgram.samples
        var steps: [TailStep] = []
        var current = TailRegion.ta
        for (index, layer) in zip(layers.indices, layers) {
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name) + "_block"
            let rows = TensorShape([samples, layer.outputShape.elementCount])
            var step = TailStep(index: index, layer: layer, kernel: .nothing, reads: current, writes: current)
            switch layer.operation {
            case .dense(let config):
                guard case .kernel(let packed)? = weights.packing[index] else { break }
                let kernel = ConvolutionEmitter(
                    function: function, inputHeight: 1, inputWidth: samples, inputChannels: layer.inputShape.lastAxis,
                    kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: 1, outputWidth: samples,
                    packed: packed, fusedReLU: config.activation == .relu,
                    blocking: BatchedTailProgram.blocking(lanes: packed.lanes, target: target), target: target)
                let activation = config.activation == .linear || config.activation == .relu ? nil
                    : ElementwiseEmitter(function: function + "_activation", kind: .activation(config.activation), shape: rows)
                step.kernel = .dense(kernel, activation: activation)
                step.writes = current.other
            default:
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
    /// weights are read from memory once and from cache for the other
    /// samples. That pays when those layers' tensors are small (at most
    /// `layerMajorFloats` per sample in and out, so the block's stay in cache
    /// beside the weights) and their weights large (`layerMajorWeights`).
    static func layerMajorStart(_ model: CheckedModel, before start: Int) -> Int {
        var first = start
        while first > 0 {
            let layer = model.layers[first - 1]
            let floats = layer.inputs.reduce(layer.outputShape.elementCount) { $0 + model.shape(of: $1).elementCount }
            guard floats <= layerMajorFloats else { break }
            first -= 1
        }
        let weights = model.layers[first..<start].reduce(0) { $0 + $1.parameters }
        return weights >= layerMajorWeights ? first : start
    }

    /// 64 KB per sample: 512 KB for a block of 8, a Zen 3 core's L2 cache.
    static let layerMajorFloats = 16 << 10
    /// 1 MB of weights: less stays in the L2 cache from sample to sample anyway.
    static let layerMajorWeights = 256 << 10

    /// A layer that maps one vector per sample to another; Flatten turns the
    /// last image into that vector without moving a value.
    private static func isVectorLayer(_ layer: CheckedLayer) -> Bool {
        switch layer.operation {
        case .flatten: true
        case .reshape: layer.outputShape.rank == 1
        case .dense, .activation, .relu, .elu, .softmax, .batchNormalization, .layerNormalization, .prelu, .dropout, .identityAtInference,
             .rescaling, .normalization:
            layer.inputShape.rank == 1
        default: false
        }
    }
}
