/// Where the forward pass keeps every tensor: decides which layers get a
/// region of their own and which share their input's (Flatten, Reshape, Dropout and
/// the training-only layers compute nothing; activations and
/// BatchNormalization overwrite their input when nothing reads it later),
/// then places the regions by liveness with `ArenaAllocator`. A tensor that
/// several layers read (a branch of a graph) stays alive until the last of them.
enum InferenceMemoryPlanner {
    /// `nodes` with their buffers and padded-input regions filled in, the arena,
    /// and where each of the model's outputs ends up.
    static func plan(_ model: CheckedModel, nodes: [NodeProgram]) -> (nodes: [NodeProgram], arena: InferenceArena, results: [InferenceBuffer]) {
        var nodes = nodes
        var ends = lastReaders(model)
        // A depthwise layer that reads past a ZeroPadding2D reads that layer's input.
        for node in nodes {
            guard let padder = node.fusion?.absorbedPadding, let input = model.layers[padder].inputs.first else { continue }
            ends[input] = max(ends[input] ?? node.index, node.index)
        }
        // Storages: one per tensor a layer computes, one per padded input.
        var requests: [ArenaAllocator.Request] = []
        var names: [String] = [], holds: [String] = []
        /// Every tensor's buffer, and the tensors each region holds.
        var storage: [TensorReference: InferenceBuffer] = [:]
        var tensorsIn: [Int: [TensorReference]] = [:]
        for input in model.inputs.indices { storage[.input(input)] = .input(input) }
        // Checked graphs read only tensors made before, so every lookup finds its buffer.
        func buffer(_ tensor: TensorReference) -> InferenceBuffer { storage[tensor] ?? .input(0) }
        func newStorage(_ count: Int, at index: Int, name: String, holds what: String) -> Int {
            requests.append(.init(count: count, first: index, last: index))
            names.append(name)
            holds.append(what)
            return requests.count - 1
        }
        for index in nodes.indices {
            let layer = model.layers[index]
            let input = buffer(layer.inputs[0])
            var output: InferenceBuffer
            switch nodes[index].kernel {
            case .nothing:
                output = input
            case .inPlace:
                // Overwrite the input only if no later layer reads anything kept in its memory.
                let readLater: Bool
                if case .region(let region) = input {
                    readLater = tensorsIn[region, default: []].contains { ends[$0, default: index] > index }
                } else {
                    readLater = true
                }
                if readLater {
                    output = .region(newStorage(layer.outputShape.elementCount, at: index, name: nodes[index].function, holds: "\(layer.name)'s output"))
                    nodes[index].copiesInputFirst = true
                } else {
                    output = input
                }
            case .convolution(let kernels):
                if let padded = kernels.inferencePadding?.paddedCount {
                    nodes[index].padded = newStorage(padded, at: index, name: nodes[index].function + "_padded", holds: "\(layer.name)'s padded input")
                }
                if let pointwise = kernels.pointwise {
                    let count = pointwise.inputHeight * pointwise.inputWidth * pointwise.inputChannels
                    nodes[index].intermediate = newStorage(count, at: index, name: nodes[index].function + "_depthwise", holds: "\(layer.name)'s depthwise result")
                }
                output = .region(newStorage(layer.outputShape.elementCount, at: index, name: nodes[index].function, holds: "\(layer.name)'s output"))
            case .pooling, .globalPooling, .zeroPadding, .cropping, .upSampling, .resizing, .permute, .repeatVector, .merge, .concatenate:
                output = .region(newStorage(layer.outputShape.elementCount, at: index, name: nodes[index].function, holds: "\(layer.name)'s output"))
            }
            nodes[index].otherReads = layer.inputs.dropFirst().map(buffer)
            nodes[index].reads = input
            nodes[index].writes = output
            storage[.layer(index)] = output
            if case .region(let region) = output { tensorsIn[region, default: []].append(.layer(index)) }
        }
        // A storage lives until the last reader of any tensor it holds.
        for (region, tensors) in tensorsIn {
            requests[region].last = tensors.reduce(requests[region].last) { max($0, ends[$1, default: requests[region].last]) }
        }
        let (offsets, span) = ArenaAllocator.place(requests)
        let regions = requests.indices.map {
            ArenaRegion(name: names[$0], offset: offsets[$0], count: requests[$0].count,
                        firstNode: requests[$0].first, lastNode: min(requests[$0].last, nodes.count - 1), holds: holds[$0])
        }
        let scratch = nodes.compactMap { node -> Int? in
            guard case .convolution(let kernels) = node.kernel else { return nil }
            return kernels.winograd?.kernel.scratchCount
        }.max() ?? 0
        return (nodes, InferenceArena(regions: regions, activation: span, scratch: scratch), model.outputs.map(buffer))
    }

    /// The index of the last layer that reads each tensor; the model's outputs
    /// are read after the last layer (copied out), at index `layers.count`.
    static func lastReaders(_ model: CheckedModel) -> [TensorReference: Int] {
        var ends: [TensorReference: Int] = [:]
        for (index, layer) in model.layers.enumerated() {
            for input in layer.inputs { ends[input] = max(ends[input] ?? index, index) }
        }
        for output in model.outputs { ends[output] = model.layers.count }
        return ends
    }
}
