/// A ReLU whose training forward pass runs in the store of the layer before
/// it: a BatchNormalization that normalizes with the batch
/// (`NormalizationTraining.fusedReLU`), or a merge whose inference already has
/// a clamping copy (`MergeEmitter.fusedFunction`, a ResNet's Add). That layer
/// writes the ReLU's output and nothing writes its own, which saves a pass
/// over the tensor; the ReLU's derivative then reads its output, which is
/// positive (and below a cap) exactly where its input is.
struct ReLUInStore: Codable, Hashable, Sendable {
    /// The layer that writes the ReLU's output.
    var producer: Int
    /// The ReLU.
    var relu: Int
    var clamp: StoreEpilogue.Clamp

    /// How the store runs a ReLU whose derivative can read its output: no slope
    /// below and no threshold (a cap is fine: below it the output is the input).
    static func clamp(_ operation: LayerOperation) -> StoreEpilogue.Clamp? {
        switch operation {
        case .activation(.relu): .activationReLU
        case .relu(let config) where config.threshold == 0 && config.negativeSlope == 0: .relu(maxValue: config.maxValue)
        default: nil
        }
    }

    /// The ReLU after `producer`, when it reads only `producer`'s output and
    /// is the only reader of it, which is not a model output.
    static func after(_ producer: Int, in model: CheckedModel) -> ReLUInStore? {
        let next = producer + 1
        guard next < model.layers.count, let clamp = clamp(model.layers[next].operation),
              model.layers[next].inputs == [.layer(producer)], !model.outputs.contains(.layer(producer)),
              model.layers.count(where: { $0.inputs.contains(.layer(producer)) }) == 1 else { return nil }
        return ReLUInStore(producer: producer, relu: next, clamp: clamp)
    }

    /// The merges whose ReLU runs in their store in training: those whose
    /// inference clamps in a copy of their function, and whose backward pass
    /// does not read their output (Maximum and Minimum do).
    static func merges(_ model: CheckedModel, nodes: [NodeProgram]) -> [ReLUInStore] {
        nodes.indices.compactMap { index in
            guard case .merge(let merge) = nodes[index].kernel, let clamp = merge.fusedClamp,
                  MergeBackwardEmitter.reads(nodes[index].layer.operation) != .inputsAndOutput,
                  let fused = after(index, in: model), fused.clamp == clamp else { return nil }
            return fused
        }
    }
}
