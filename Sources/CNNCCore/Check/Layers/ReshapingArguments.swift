/// Layers that only move or add values: Flatten and ZeroPadding2D.
enum ReshapingArguments {
    static let flatten = LayerDecoder(arguments: ["data_format"]) { reader in
        reader.channelsLast()
        return .flatten
    }

    /// `padding` is one number for every side, `[rows, columns]` for
    /// symmetric padding, or `[[top, bottom], [left, right]]`, as in Keras.
    static let zeroPadding2D = LayerDecoder(arguments: ["padding", "data_format"]) { reader in
        reader.channelsLast()
        guard let value = reader.value("padding"), !value.isNull else { return .zeroPadding2D(.init(top: 1, bottom: 1, left: 1, right: 1)) }
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
            return .zeroPadding2D(Padding2D(top: both, bottom: both, left: both, right: both))
        }
        if let items = value.list, items.count == 2 {
            if let rows = amount(items[0]), let columns = amount(items[1]) {
                return .zeroPadding2D(Padding2D(top: rows, bottom: rows, left: columns, right: columns))
            }
            if let rows = pair(items[0]), let columns = pair(items[1]) {
                return .zeroPadding2D(Padding2D(top: rows.0, bottom: rows.1, left: columns.0, right: columns.1))
            }
        }
        reader.error("'padding' must be a whole number ≥ 0, [rows, columns] or [[top, bottom], [left, right]], got \(value.sourceText)", at: value.location)
        return nil
    }
}
