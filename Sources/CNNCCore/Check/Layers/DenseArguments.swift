/// Dense's arguments. On an input of rank above 1 Dense acts on the last axis,
/// as Keras does (the same weights at every position).
enum DenseArguments {
    static let dense = LayerDecoder(
        arguments: ["units", "activation", "use_bias", "kernel_initializer", "bias_initializer"]
    ) { reader in
        let units = reader.int("units", default: nil, meaning: "the number of outputs")
        let activation = reader.activation()
        let useBias = reader.bool("use_bias", default: true)
        WeightArguments.read(&reader, weights: ["kernel", "bias"])
        guard let units, let activation, let useBias else { return nil }
        return .dense(DenseConfig(units: units, useBias: useBias, activation: activation))
    }
}
