/// The merge layers of a graph: Add, Subtract, Multiply, Average, Maximum,
/// Minimum (no arguments of their own) and Concatenate (`axis`).
enum MergeArguments {
    static let decoders: [String: LayerDecoder] = Dictionary(uniqueKeysWithValues: MergeOperation.allCases.map { operation in
        (operation.className, LayerDecoder(arguments: []) { _ in .merge(operation) })
    })

    static let concatenate = LayerDecoder(arguments: ["axis"]) { reader in
        guard let value = reader.value("axis"), !value.isNull else { return .concatenate(ConcatenateConfig(axis: -1)) }
        guard case .int(let axis) = value.kind, abs(axis) <= ArgumentLimits.maximumSize else {
            reader.error("'axis' of Concatenate must be a whole number such as -1 (channels) or 1 (rows), got \(value.sourceText)", at: value.location)
            return nil
        }
        return .concatenate(ConcatenateConfig(axis: axis))
    }
}
