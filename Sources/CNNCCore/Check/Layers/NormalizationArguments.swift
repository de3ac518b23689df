/// BatchNormalization's arguments, with Keras 3's defaults (momentum 0.99, epsilon 0.001).
enum NormalizationArguments {
    static let batchNormalization = LayerDecoder(
        arguments: ["axis", "momentum", "epsilon", "center", "scale"]
    ) { reader in
        let momentum = reader.number("momentum", default: 0.99, in: 0...1, rangeText: "from 0 to 1")
        let epsilon = reader.number("epsilon", default: 0.001, in: Double.leastNonzeroMagnitude...1, rangeText: "above 0")
        let center = reader.bool("center", default: true)
        let scale = reader.bool("scale", default: true)
        // Keras 3 writes `axis: -1`; Keras 2 writes the resolved axis, e.g. `[3]`.
        let rank = reader.inputRank
        reader.requireValue("axis", equalTo: "the last axis (-1)", matches: { isLastAxis($0, inputRank: rank) },
                            because: "normalization runs over the channels, the last axis")
        reader.requireValue("synchronized", equalTo: "false", matches: { if case .bool(false) = $0.kind { true } else { false } },
                            because: "there is one device")
        reader.requireValue("renorm", equalTo: "false", matches: { if case .bool(false) = $0.kind { true } else { false } },
                            because: "batch renormalization is not implemented")
        reader.ignore("renorm_momentum", "fused")
        reader.requireNull("renorm_clipping", "virtual_batch_size", "adjustment", because: "batch renormalization is not implemented")
        WeightArguments.read(&reader, weights: ["beta", "gamma"])
        reader.ignore("moving_mean_initializer", "moving_variance_initializer")
        guard let momentum, let epsilon, let center, let scale else { return nil }
        return .batchNormalization(BatchNormalizationConfig(momentum: momentum, epsilon: epsilon, center: center, scale: scale))
    }

    /// -1, or the last axis counted with the batch axis first (3 for images), as
    /// an int or a one-element list. Without a known input rank only -1 is safe.
    private static func isLastAxis(_ value: SpecValue, inputRank: Int?) -> Bool {
        var value = value
        if let items = value.list, items.count == 1 { value = items[0] }
        guard case .int(let axis) = value.kind else { return false }
        return axis == -1 || axis == inputRank
    }
}
