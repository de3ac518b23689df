/// Layers that scale and shift each value by constants or fixed weights:
/// Rescaling and Normalization (over the last axis).
enum ScalingArguments {
    /// `scale` (required, as in Keras) and `offset` (0 by default): a number,
    /// or a list of one number per channel.
    static let rescaling = LayerDecoder(arguments: ["scale", "offset"]) { reader in
        let offset = reader.value("offset").flatMap { $0.isNull ? nil : $0 }.map { numbers(&reader, "offset", $0) } ?? .some(([0], false))
        guard let scaleValue = reader.value("scale"), !scaleValue.isNull else {
            reader.error("Rescaling needs 'scale' (y = x·scale + offset, e.g. 0.00392156862745098 for 1/255)", at: reader.layerLocation)
            return nil
        }
        let scale = numbers(&reader, "scale", scaleValue)
        guard let scale, let offset else { return nil }
        return .rescaling(RescalingConfig(scale: scale.values, offset: offset.values, scaleIsList: scale.isList, offsetIsList: offset.isList))
    }

    /// ConvNeXt's LayerScale (`keras.src.applications.convnext`): y = x·gamma,
    /// both arguments required, as its constructor takes them.
    static let layerScale = LayerDecoder(arguments: ["init_values", "projection_dim"]) { reader in
        let initValues = reader.floatNumber("init_values", meaning: "gamma's value in a new model")
        let channels = reader.int("projection_dim", default: nil, meaning: "the channels it scales, one factor each")
        guard let initValues, let channels else { return nil }
        return .layerScale(LayerScaleConfig(initValues: initValues, projectionDim: channels))
    }

    /// `axis` must be the last axis; `mean` and `variance` are given together
    /// (constants) or both null (weights of the layer, set by `adapt`).
    static let normalization = LayerDecoder(arguments: ["axis", "mean", "variance", "invert"]) { reader in
        let rank = reader.inputRank
        if let axis = reader.value("axis") {
            if !ArgumentReader.isLastAxis(axis, inputRank: rank) {
                reader.error("'axis: \(axis.sourceText)' is not supported by cnnc (it normalizes each channel, the last axis); only the last axis (-1) is", at: axis.location)
            }
        }
        let invert = reader.bool("invert", default: false)
        let mean = reader.value("mean").flatMap { $0.isNull ? nil : $0 }
        let variance = reader.value("variance").flatMap { $0.isNull ? nil : $0 }
        var constants: NormalizationConstants?
        switch (mean, variance) {
        case (nil, nil):
            break
        case (let mean?, let variance?):
            guard let means = numbers(&reader, "mean", mean), let variances = numbers(&reader, "variance", variance) else { return nil }
            guard means.values.count == variances.values.count, means.isList == variances.isList else {
                reader.error("'mean' and 'variance' must have the same shape, got \(mean.sourceText) and \(variance.sourceText)", at: variance.location)
                return nil
            }
            guard variances.values.allSatisfy({ $0 >= 0 }) else {
                reader.error("'variance' must be ≥ 0, got \(variance.sourceText)", at: variance.location)
                return nil
            }
            constants = NormalizationConstants(mean: means.values, variance: variances.values, isList: means.isList)
        case (let given?, nil), (nil, let given?):
            reader.error("Normalization needs 'mean' and 'variance' together (or neither, to read them from the weights)", at: given.location)
            return nil
        }
        guard let invert else { return nil }
        return .normalization(NormalizationConfig(invert: invert, constants: constants))
    }

    /// A finite number, or a non-empty list of them; nil after an error.
    private static func numbers(_ reader: inout ArgumentReader, _ key: String, _ value: SpecValue) -> (values: [Double], isList: Bool)? {
        func number(_ item: SpecValue) -> Double? {
            switch item.kind {
            case .int(let whole): Double(whole)
            case .double(let real) where real.isFinite: real
            default: nil
            }
        }
        // The generated code multiplies in float32: a factor beyond its range is infinity there.
        let limit = Double(Float.greatestFiniteMagnitude)
        var found: (values: [Double], isList: Bool)?
        if let single = number(value) {
            found = ([single], false)
        } else if let items = value.list, !items.isEmpty {
            let values = items.compactMap(number)
            if values.count == items.count { found = (values, true) }
        }
        guard let found else {
            reader.error("'\(key)' must be a number or a list of one number per channel, got \(value.sourceText)", at: value.location)
            return nil
        }
        guard found.values.allSatisfy({ abs($0) <= limit }) else {
            reader.error("'\(key)' must be finite as a 32-bit float (at most 3.4e38 either side), got \(value.sourceText)", at: value.location)
            return nil
        }
        return found
    }
}
