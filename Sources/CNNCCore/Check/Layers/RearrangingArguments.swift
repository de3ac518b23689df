/// Layers that only move or repeat values, with Keras 3's arguments:
/// Permute, RepeatVector and UpSampling1D.
enum RearrangingArguments {
    /// `dims`: the input axes in their new order, counted from 1 after the batch axis.
    static let permute = LayerDecoder(arguments: ["dims"]) { reader in
        guard let value = reader.value("dims"), !value.isNull else {
            reader.error("Permute needs 'dims' (the input's axes in their new order, counted from 1 after the batch axis, e.g. [2, 1])", at: reader.layerLocation)
            return nil
        }
        let written = value.list?.map { item -> Int? in
            guard case .int(let axis) = item.kind else { return nil }
            return axis
        }
        // Without the input's rank (an earlier layer failed), the count written is taken as it.
        let rank = reader.inputRank ?? written?.count
        guard let rank, rank >= 1, let written, written.count == rank, !written.contains(nil),
              written.compactMap({ $0 }).sorted() == Array(1...rank) else {
            let form = rank.flatMap { $0 >= 1 ? Array(1...$0) : nil }.map { axes in
                "a permutation of \(list(axes)) (each of the input's \(axes.count) axes once, counted from 1 after the batch axis), e.g. \(list(axes.reversed()))"
            } ?? "a list of the input's axes in their new order, counted from 1 after the batch axis, e.g. [2, 1]"
            reader.error("'dims' must be \(form); got \(value.sourceText)", at: value.location)
            return nil
        }
        return .permute(PermuteConfig(dims: written.compactMap { $0 }))
    }

    /// `n`: how many times the vector is repeated (Keras requires a positive whole number).
    static let repeatVector = LayerDecoder(arguments: ["n"]) { reader in
        reader.int("n", default: nil, meaning: "how many times the vector is repeated, one step each")
            .map { .repeatVector(RepeatVectorConfig(n: $0)) }
    }

    /// `size` (2 by default): how many times each step is repeated.
    static let upSampling1D = LayerDecoder(arguments: ["size"]) { reader in
        reader.int("size", default: 2, meaning: "how many times each step is repeated")
            .map { .oneDimensional(.upSampling1D(size: $0)) }
    }

    private static func list(_ axes: [Int]) -> String {
        "[" + axes.map(String.init).joined(separator: ", ") + "]"
    }
}
