/// Layers that only act in training: at inference Keras passes their input
/// through unchanged, so cnnc compiles them as identity and says so in a note.
/// (A value that failed its check is reported by the reader and the model is refused, so the 0 stand-in is never used.)
enum InferenceIdentityArguments {
    static let gaussianNoise = LayerDecoder(arguments: ["stddev", "seed"]) { reader in
        let stddev = reader.number("stddev", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        reader.ignore("seed")
        return .identityAtInference(.gaussianNoise(stddev: stddev ?? 0))
    }

    static let gaussianDropout = LayerDecoder(arguments: ["rate", "seed"]) { reader in
        let rate = reader.number("rate", default: 0, in: 0...1, rangeText: "from 0 to below 1")
        reader.ignore("seed")
        return .identityAtInference(.gaussianDropout(rate: rate ?? 0))
    }

    static let spatialDropout2D = LayerDecoder(arguments: ["rate", "seed", "data_format"]) { reader in
        requireRank(3, of: "an image (height, width, channels)", &reader)
        let rate = reader.number("rate", default: 0, in: 0...1, rangeText: "from 0 to below 1")
        reader.ignore("seed", "noise_shape")
        reader.channelsLast()
        return .identityAtInference(.spatialDropout(rate: rate ?? 0))
    }

    /// SpatialDropout2D's drop of whole channels, over a sequence's steps.
    static let spatialDropout1D = LayerDecoder(arguments: ["rate", "seed"]) { reader in
        requireRank(2, of: "a sequence (steps, channels)", &reader)
        let rate = reader.number("rate", default: 0, in: 0...1, rangeText: "from 0 to below 1")
        reader.ignore("seed", "noise_shape")
        return .identityAtInference(.spatialDropout(rate: rate ?? 0))
    }

    /// Keras's SpatialDropout layers take one rank of input (their InputSpec).
    private static func requireRank(_ rank: Int, of what: String, _ reader: inout ArgumentReader) {
        if let given = reader.inputRank, given != rank {
            reader.error("\(reader.className) drops whole channels of \(what), but its input has \(given) axes", at: reader.layerLocation)
        }
    }

    static let identity = LayerDecoder(arguments: []) { _ in .identityAtInference(.identity) }

    static let activityRegularization = LayerDecoder(arguments: ["l1", "l2"]) { reader in
        let l1 = reader.number("l1", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        let l2 = reader.number("l2", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        return .identityAtInference(.activityRegularization(l1: l1 ?? 0, l2: l2 ?? 0))
    }
}
