/// Layers that only move, add or drop values: Flatten, Reshape, ZeroPadding2D and Cropping2D.
enum ReshapingArguments {
    static let flatten = LayerDecoder(arguments: ["data_format"]) { reader in
        reader.channelsLast()
        return .flatten
    }

    /// `target_shape`: whole numbers ≥ 1, at most one of them -1 (the size Keras infers).
    static let reshape = LayerDecoder(arguments: ["target_shape"]) { reader in
        guard let value = reader.value("target_shape"), !value.isNull else {
            reader.error("Reshape needs 'target_shape' (the shape of one sample, e.g. [1, 1, 32]; one size may be -1)", at: reader.layerLocation)
            return nil
        }
        let sizes = value.list?.map { item -> Int? in
            guard case .int(let size) = item.kind, size == -1 || (size >= 1 && size <= ArgumentLimits.maximumSize) else { return nil }
            return size
        }
        guard let sizes, !sizes.isEmpty, !sizes.contains(nil), sizes.filter({ $0 == -1 }).count <= 1 else {
            reader.error("'target_shape' must be a list of whole numbers ≥ 1 with at most one -1 (the size Keras infers), got \(value.sourceText)", at: value.location)
            return nil
        }
        return .reshape(ReshapeConfig(targetShape: sizes.compactMap { $0 }))
    }

    static let zeroPadding2D = LayerDecoder(arguments: ["padding", "data_format"]) { reader in
        reader.channelsLast()
        return sides(&reader, key: "padding").map(LayerOperation.zeroPadding2D)
    }

    static let cropping2D = LayerDecoder(arguments: ["cropping", "data_format"]) { reader in
        reader.channelsLast()
        return sides(&reader, key: "cropping", default: 0).map(LayerOperation.cropping2D)
    }

    /// The rows and columns at each side: one number for every side, `[rows, columns]`
    /// for the same at both ends, or `[[top, bottom], [left, right]]`, as in Keras.
    private static func sides(_ reader: inout ArgumentReader, key: String, default both: Int = 1) -> Padding2D? {
        guard let value = reader.value(key), !value.isNull else { return Padding2D(top: both, bottom: both, left: both, right: both) }
        func amount(_ item: SpecValue) -> Int? {
            guard case .int(let number) = item.kind, number >= 0, number <= ArgumentLimits.maximumSize else { return nil }
            return number
        }
        func pair(_ item: SpecValue) -> (Int, Int)? {
            if let both = amount(item) { return (both, both) }
            guard let items = item.list, items.count == 2, let first = amount(items[0]), let second = amount(items[1]) else { return nil }
            return (first, second)
        }
        if let both = amount(value) {
            return Padding2D(top: both, bottom: both, left: both, right: both)
        }
        if let items = value.list, items.count == 2 {
            if let rows = amount(items[0]), let columns = amount(items[1]) {
                return Padding2D(top: rows, bottom: rows, left: columns, right: columns)
            }
            if let rows = pair(items[0]), let columns = pair(items[1]) {
                return Padding2D(top: rows.0, bottom: rows.1, left: columns.0, right: columns.1)
            }
        }
        reader.error("'\(key)' must be a whole number ≥ 0, [rows, columns] or [[top, bottom], [left, right]], got \(value.sourceText)", at: value.location)
        return nil
    }
}
