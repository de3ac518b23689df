/// Layers that only act in training: at inference Keras passes their input
/// through unchanged, so cnnc compiles them as identity and says so in a note.
enum InferenceIdentityArguments {
    static let gaussianNoise = LayerDecoder(arguments: ["stddev", "seed"]) { reader in
        _ = reader.number("stddev", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        reader.ignore("seed")
        return .identityAtInference
    }

    static let gaussianDropout = LayerDecoder(arguments: ["rate", "seed"]) { reader in
        _ = reader.number("rate", default: 0, in: 0...1, rangeText: "from 0 to below 1")
        reader.ignore("seed")
        return .identityAtInference
    }

    static let spatialDropout2D = LayerDecoder(arguments: ["rate", "seed", "data_format"]) { reader in
        _ = reader.number("rate", default: 0, in: 0...1, rangeText: "from 0 to below 1")
        reader.ignore("seed", "noise_shape")
        reader.channelsLast()
        return .identityAtInference
    }

    static let activityRegularization = LayerDecoder(arguments: ["l1", "l2"]) { reader in
        _ = reader.number("l1", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        _ = reader.number("l2", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        return .identityAtInference
    }
}
