/// BatchNormalization's and LayerNormalization's arguments, with Keras 3's
/// defaults (momentum 0.99, epsilon 0.001).
enum NormalizationArguments {
    static let batchNormalization = LayerDecoder(
        arguments: ["axis", "momentum", "epsilon", "center", "scale"]
    ) { reader in
        let momentum = reader.number("momentum", default: 0.99, in: 0...1, rangeText: "from 0 to 1")
        let common = readCommon(&reader, axisReason: "normalization runs over the channels, the last axis")
        requireFalse(&reader, "synchronized", because: "there is one device")
        requireFalse(&reader, "renorm", because: "batch renormalization is not implemented")
        reader.ignore("renorm_momentum", "fused")
        reader.requireNull("renorm_clipping", "virtual_batch_size", "adjustment", because: "batch renormalization is not implemented")
        reader.ignore("moving_mean_initializer", "moving_variance_initializer")
        guard let momentum, let common else { return nil }
        return .batchNormalization(BatchNormalizationConfig(momentum: momentum, epsilon: common.epsilon, center: common.center, scale: common.scale))
    }

    /// `readCommon`'s arguments; `rms_scaling: true` (deprecated by Keras, which
    /// divides by the variance there) is refused by name.
    static let layerNormalization = LayerDecoder(
        arguments: ["axis", "epsilon", "center", "scale", "rms_scaling"]
    ) { reader in
        let common = readCommon(&reader, axisReason: "it normalizes over the last axis at each position, and only the last axis is computed")
        requireFalse(&reader, "rms_scaling", because: "Keras deprecated it for keras.layers.RMSNormalization")
        guard let common else { return nil }
        return .layerNormalization(LayerNormalizationConfig(epsilon: common.epsilon, center: common.center, scale: common.scale))
    }

    /// What both layers read alike: `epsilon` (0.001), `center` and `scale`
    /// (true), `axis` the last only (Keras 3 writes -1 or `[-1]`, Keras 2 the
    /// resolved axis, e.g. `[3]`), and gamma's and beta's initializers,
    /// regularizers and constraints; nil after an error.
    private static func readCommon(_ reader: inout ArgumentReader, axisReason: String) -> (epsilon: Double, center: Bool, scale: Bool)? {
        // Any positive epsilon, as Keras takes it (1 and above too).
        let epsilon = reader.number("epsilon", default: 0.001, in: Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude, rangeText: "above 0")
        let center = reader.bool("center", default: true)
        let scale = reader.bool("scale", default: true)
        let rank = reader.inputRank
        reader.requireValue("axis", equalTo: "the last axis (-1)", matches: { ArgumentReader.isLastAxis($0, inputRank: rank) }, because: axisReason)
        WeightArguments.read(&reader, weights: ["beta", "gamma"])
        guard let epsilon, let center, let scale else { return nil }
        return (epsilon, center, scale)
    }

    private static func requireFalse(_ reader: inout ArgumentReader, _ key: String, because reason: String) {
        reader.requireValue(key, equalTo: "false", matches: { if case .bool(false) = $0.kind { true } else { false } }, because: reason)
    }
}
