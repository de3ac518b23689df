/// Reads the size of one input sample, in any of the forms Keras writes it:
/// `input_shape: [28, 28, 1]`, or `batch_shape`/`batch_input_shape` with a
/// leading batch axis (`[null, 28, 28, 1]`).
enum InputShapeReader {
    /// The argument names that carry an input shape, and whether they include the batch axis.
    static let keys: [(name: String, hasBatchAxis: Bool)] = [
        ("input_shape", false), ("batch_input_shape", true), ("batch_shape", true),
    ]

    static func hasBatchAxis(_ key: String) -> Bool {
        keys.first { $0.name == key }?.hasBatchAxis ?? false
    }

    /// The dimensions, or nil after logging what is wrong.
    static func read(_ value: SpecValue, key: String, log: inout DiagnosticLog) -> [Int]? {
        let example = hasBatchAxis(key) ? "[null, 28, 28, 1]" : "[28, 28, 1]"
        var items: [SpecValue]
        switch value.kind {
        case .list(let list): items = list
        case .int where !hasBatchAxis(key): items = [value]
        default:
            log.error("'\(key)' must be a list of sizes such as \(example), got \(value.typeDescription)", at: value.location)
            return nil
        }
        if hasBatchAxis(key) {
            guard let batch = items.first, batch.isNull || isInt(batch) else {
                log.error("'\(key)' must start with the batch size (null), as in \(example)", at: value.location)
                return nil
            }
            items.removeFirst()
        }
        guard !items.isEmpty else {
            log.error("'\(key)' has no sizes; give at least one, e.g. \(example)", at: value.location)
            return nil
        }
        var dimensions: [Int] = []
        for item in items {
            guard case .int(let size) = item.kind, size > 0, size <= ArgumentLimits.maximumSize else {
                let got = item.isNull ? "null (variable sizes are not supported: cnnc compiles fixed sizes)" : item.sourceText
                log.error("every size in '\(key)' must be a whole number from 1 to \(ArgumentLimits.maximumSizeText), got \(got)", at: item.location)
                return nil
            }
            dimensions.append(size)
        }
        guard dimensions.count <= 3 else {
            log.error("'\(key)' has \(dimensions.count) sizes; cnnc supports images [height, width, channels] and vectors [features]", at: value.location)
            return nil
        }
        return dimensions
    }

    private static func isInt(_ value: SpecValue) -> Bool {
        if case .int = value.kind { return true }
        return false
    }
}

/// Bounds on the numbers a spec may hold, so that no size computation can overflow unnoticed.
enum ArgumentLimits {
    /// The largest size, count or window accepted: 2^31 - 1, as TensorFlow's int32 shapes.
    static let maximumSize = Int(Int32.max)
    static let maximumSizeText = "2,147,483,647"
}
