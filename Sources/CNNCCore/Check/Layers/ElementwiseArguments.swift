/// Layers that act element by element (or, for Softmax, along the last axis)
/// and keep their input's shape.
enum ElementwiseArguments {
    static let dropout = LayerDecoder(arguments: ["rate", "noise_shape", "seed"]) { reader in
        reader.ignore("seed")
        // EfficientNet's stochastic depth drops whole samples: noise_shape [null, 1, 1, 1].
        var noiseShape: [Int?]?
        if let value = reader.value("noise_shape"), !value.isNull {
            let sizes = value.list?.map { item -> Int?? in
                switch item.kind {
                case .null: .some(nil)
                case .int(let size) where size >= 1: .some(size)
                default: nil
                }
            }
            guard let sizes, !sizes.isEmpty, sizes.allSatisfy({ $0 != nil }) else {
                reader.error("'noise_shape' must list a size or null per axis, the batch axis first (e.g. [null, 1, 1, 1]), got \(value.sourceText)", at: value.location)
                return nil
            }
            noiseShape = sizes.map { $0 ?? nil }
        }
        if reader.isNullOrAbsent("rate") {
            reader.error("Dropout needs 'rate' (the fraction of inputs to drop, e.g. 0.5)", at: reader.layerLocation)
            return nil
        }
        guard let rate = reader.number("rate", default: 0, in: 0...1, rangeText: "from 0 (keep all) to below 1") else { return nil }
        guard rate < 1 else {
            reader.error("'rate' must be below 1 (a rate of 1 drops every input), got \(rate)", at: reader.layerLocation)
            return nil
        }
        return .dropout(DropoutConfig(rate: rate, noiseShape: noiseShape))
    }

    static let activation = LayerDecoder(arguments: ["activation"]) { reader in
        reader.activation(required: true).map(LayerOperation.activation)
    }

    static let relu = LayerDecoder(arguments: ["max_value", "negative_slope", "threshold"]) { reader in
        let maxValue: Double?? = reader.isNullOrAbsent("max_value")
            ? .some(nil)
            : reader.number("max_value", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0").map { .some($0) }
        let slope = reader.number("negative_slope", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        // Keras refuses a negative threshold ("cannot be None or a negative value").
        let threshold = reader.number("threshold", default: 0, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0")
        guard let maxValue, let slope, let threshold else { return nil }
        return .relu(ReLUConfig(maxValue: maxValue, negativeSlope: slope, threshold: threshold))
    }

    /// Keras's LeakyReLU: x ≥ 0 ? x : negative_slope·x (0.3 by default; Keras 2
    /// calls it `alpha`), which is ReLU with that slope.
    static let leakyReLU = LayerDecoder(arguments: ["negative_slope", "alpha"]) { reader in
        let key = reader.isNullOrAbsent("alpha") ? "negative_slope" : "alpha"
        guard let slope = reader.number(key, default: 0.3, in: 0...Double.greatestFiniteMagnitude, rangeText: "≥ 0") else { return nil }
        return .relu(ReLUConfig(maxValue: nil, negativeSlope: slope, threshold: 0))
    }

    /// Keras's ELU layer: x > 0 ? x : alpha·(e^x − 1), alpha 1 by default.
    static let elu = LayerDecoder(arguments: ["alpha"]) { reader in
        reader.number("alpha", default: 1, in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, rangeText: "finite")
            .map { LayerOperation.elu(alpha: $0) }
    }

    /// Keras's PReLU: x above 0, alpha·x below, alpha a trained weight of the
    /// input's shape; `shared_axes` (null, one axis or a list, 1 the first axis
    /// after the batch) give alpha size 1 along them. Whether an axis exists is
    /// the shape check's (`ShapeInference`), which knows the input.
    static let prelu = LayerDecoder(arguments: ["shared_axes", "alpha_initializer"]) { reader in
        WeightArguments.read(&reader, weights: ["alpha"])
        guard let value = reader.value("shared_axes"), !value.isNull else { return .prelu(PReLUConfig(sharedAxes: [])) }
        let items = value.list ?? [value]
        let axes = items.compactMap { item -> Int? in
            if case .int(let axis) = item.kind, axis >= 1 { axis } else { nil }
        }
        guard axes.count == items.count else {
            reader.error("'shared_axes' must be null, an axis or a list of axes, each ≥ 1 (1 is the first axis after the batch), got \(value.sourceText)", at: value.location)
            return nil
        }
        return .prelu(PReLUConfig(sharedAxes: axes))
    }

    static let softmax = LayerDecoder(arguments: ["axis"]) { reader in
        // The last axis however it is written (-1, [-1], or its index, as Keras 2 resolves it), as the normalizations take it.
        let rank = reader.inputRank
        reader.requireValue("axis", equalTo: "the last axis (-1)", matches: { ArgumentReader.isLastAxis($0, inputRank: rank) },
                            because: "softmax is taken over the last axis")
        return .softmax
    }
}
