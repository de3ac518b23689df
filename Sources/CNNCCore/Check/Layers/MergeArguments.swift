/// The merge layers of a graph: Add, Subtract, Multiply, Average, Maximum,
/// Minimum (no arguments of their own), InceptionResNetV2's CustomScaleLayer
/// (`scale`) and Concatenate (`axis`).
enum MergeArguments {
    static let decoders: [String: LayerDecoder] = Dictionary(uniqueKeysWithValues: MergeOperation.withoutArguments.map { operation in
        (operation.className, LayerDecoder(arguments: []) { _ in .merge(operation) })
    } + [(MergeOperation.customScaleClass, customScale)])

    /// Keras computes `inputs[0] + inputs[1] * scale` in float32: the scale
    /// must be finite as a Float.
    static let customScale = LayerDecoder(arguments: ["scale"]) { reader in
        guard let scale = reader.floatNumber("scale", meaning: "the factor of the second input, the residual branch") else { return nil }
        return .merge(.scaledAdd(scale: scale))
    }

    static let concatenate = LayerDecoder(arguments: ["axis"]) { reader in
        guard let value = reader.value("axis"), !value.isNull else { return .concatenate(ConcatenateConfig(axis: -1)) }
        guard case .int(let axis) = value.kind, axis.magnitude <= ArgumentLimits.maximumSize.magnitude else {
            reader.error("'axis' of Concatenate must be a whole number such as -1 (channels) or 1 (rows), got \(value.sourceText)", at: value.location)
            return nil
        }
        return .concatenate(ConcatenateConfig(axis: axis))
    }
}
