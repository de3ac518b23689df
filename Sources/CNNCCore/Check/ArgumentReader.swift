/// Reads one layer's Keras keyword arguments into typed values, recording a
/// located diagnostic for every missing, mistyped or unknown argument.
/// Each read marks its key as used; `finish()` reports whatever is left.
struct ArgumentReader {
    let layerName: String
    let className: String
    let layerLocation: SourceLocation
    /// The rank of the layer's input (without the batch axis) when it is known.
    let inputRank: Int?
    private let entries: [SpecEntry]
    private var used: Set<String> = []
    private(set) var diagnostics: [Diagnostic] = []
    /// Required arguments found missing, with the index of their diagnostic.
    private var missingKeys: [String: Int] = [:]

    init(layer: LayerSpec, layerName: String, inputRank: Int?) {
        self.inputRank = inputRank
        self.layerName = layerName
        self.className = layer.className
        self.layerLocation = layer.location
        self.entries = layer.arguments
    }

    var hasErrors: Bool { !diagnostics.isEmpty }

    mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, "\(layerName): \(message)", at: location))
    }

    /// The value under `key`, marking it used.
    mutating func value(_ key: String) -> SpecValue? {
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    // MARK: Typed reads

    /// A whole number from `minimum` up to the size limit; `defaultValue` nil means required.
    mutating func int(_ key: String, default defaultValue: Int?, minimum: Int = 1, meaning: String) -> Int? {
        guard let value = value(key), !(value.isNull && defaultValue != nil) else {
            if defaultValue == nil { missing(key, meaning: meaning) }
            return defaultValue
        }
        guard case .int(let number) = value.kind, number >= minimum, number <= ArgumentLimits.maximumSize else {
            let range = minimum == 1 ? "a positive whole number" : "a whole number ≥ \(minimum)"
            error("'\(key)' (\(meaning)) must be \(range)\(limitNote(value)), got \(describe(value))", at: value.location)
            return nil
        }
        return number
    }

    /// A height-and-width pair, written as one number for both (`3`) or as `[3, 5]`.
    mutating func pair(_ key: String, default defaultValue: Size2D?, minimum: Int = 1, meaning: String) -> Size2D? {
        guard let value = value(key), !(value.isNull && defaultValue != nil) else {
            if defaultValue == nil { missing(key, meaning: meaning) }
            return defaultValue
        }
        func side(_ item: SpecValue) -> Int? {
            guard case .int(let number) = item.kind, number >= minimum, number <= ArgumentLimits.maximumSize else { return nil }
            return number
        }
        switch value.kind {
        case .int:
            if let side = side(value) { return .square(side) }
        case .list(let items) where items.count == 2:
            if let height = side(items[0]), let width = side(items[1]) { return Size2D(height, width) }
        default:
            break
        }
        let kind = minimum == 1 ? "positive whole numbers" : "whole numbers ≥ \(minimum)"
        error("'\(key)' (\(meaning)) must be one number or a list of two [height, width], \(kind)\(limitNote(value)), got \(describe(value))", at: value.location)
        return nil
    }

    /// One length along the steps of a sequence, written as a number (`3`)
    /// or, as Keras's JSON writes it, a list of one (`[3]`).
    mutating func single(_ key: String, default defaultValue: Int?, meaning: String) -> Int? {
        guard let value = value(key), !(value.isNull && defaultValue != nil) else {
            if defaultValue == nil { missing(key, meaning: meaning) }
            return defaultValue
        }
        var item = value
        if let items = value.list, items.count == 1 { item = items[0] }
        guard case .int(let number) = item.kind, number >= 1, number <= ArgumentLimits.maximumSize else {
            error("'\(key)' (\(meaning)) must be one positive whole number or a list of one\(limitNote(item)), got \(describe(value))", at: value.location)
            return nil
        }
        return number
    }

    mutating func bool(_ key: String, default defaultValue: Bool) -> Bool? {
        guard let value = value(key), !value.isNull else { return defaultValue }
        guard case .bool(let flag) = value.kind else {
            error("'\(key)' must be true or false, got \(describe(value))", at: value.location)
            return nil
        }
        return flag
    }

    /// A number (whole or not) in `range`; `defaultValue` nil means required
    /// (`meaning` then says what it is); nil after an error.
    mutating func number(_ key: String, default defaultValue: Double?, meaning: String = "", in range: ClosedRange<Double>, rangeText: String) -> Double? {
        guard let value = value(key), !(value.isNull && defaultValue != nil) else {
            if defaultValue == nil { missing(key, meaning: meaning) }
            return defaultValue
        }
        let number: Double
        switch value.kind {
        case .int(let whole): number = Double(whole)
        case .double(let real): number = real
        default:
            error("'\(key)' must be a number \(rangeText), got \(describe(value))", at: value.location)
            return nil
        }
        guard range.contains(number) else {
            error("'\(key)' must be \(rangeText), got \(value.sourceText)", at: value.location)
            return nil
        }
        return number
    }

    /// Whether an `axis` names the last axis: -1, or the last counted with the
    /// batch axis first (3 for images), as an int or a one-element list.
    /// Without a known input rank (a layer after an error, or one no output
    /// reaches) any axis past the batch's may be the last: the axis is judged
    /// where the rank is known, so that an earlier error does not bring false ones.
    static func isLastAxis(_ value: SpecValue, inputRank: Int?) -> Bool {
        var value = value
        if let items = value.list, items.count == 1 { value = items[0] }
        guard case .int(let axis) = value.kind else { return false }
        guard let inputRank else { return axis == -1 || axis >= 1 }
        return axis == -1 || axis == inputRank
    }

    /// A required number the generated code computes with as a Float (a factor
    /// Keras applies in float32): finite there, or an error; nil after one.
    mutating func floatNumber(_ key: String, meaning: String) -> Double? {
        let limit = Double(Float.greatestFiniteMagnitude)
        return number(key, default: nil, meaning: meaning, in: -limit...limit, rangeText: "finite as a 32-bit float (at most 3.4e38 either side)")
    }

    /// True when `key` is absent or null (Keras's None), marking it used.
    mutating func isNullOrAbsent(_ key: String) -> Bool {
        value(key)?.isNull ?? true
    }

    /// One of a fixed set of words, compared case-insensitively as Keras does for `padding`.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: T) -> T? where T.RawValue == String {
        guard let value = value(key), !value.isNull else { return defaultValue }
        let options = T.allCases.map(\.rawValue)
        guard let word = value.string else {
            error("'\(key)' must be one of \(quoted(options)), got \(describe(value))", at: value.location)
            return nil
        }
        guard let chosen = T(rawValue: word.lowercased()) else {
            error("'\(key)' must be one of \(quoted(options)), got '\(word)'\(Suggestions.didYouMean(word, in: options))", at: value.location)
            return nil
        }
        return chosen
    }

    /// An activation by name; null means linear, as in Keras.
    mutating func activation(_ key: String = "activation", required: Bool = false) -> Activation? {
        guard let value = value(key) else {
            if required { missing(key, meaning: "the function to apply, e.g. relu") }
            return required ? nil : .linear
        }
        if value.isNull { return .linear }
        let options = Activation.allCases.map(\.rawValue)
        guard let name = value.string else {
            error("'\(key)' must name an activation (\(options.joined(separator: ", "))), got \(describe(value))", at: value.location)
            return nil
        }
        guard let activation = Activation(rawValue: name) ?? Activation.kerasAliases[name] else {
            // A Keras activation is what the user meant: a near name (gelu, relu) would mislead.
            let hint = Activation.otherKerasNames.contains(name) ? "; it is a Keras activation cnnc does not compute yet" : Suggestions.didYouMean(name, in: options)
            error("unsupported activation '\(name)'\(hint) (supported: \(options.joined(separator: ", ")))", at: value.location)
            return nil
        }
        return activation
    }

    // MARK: Keys that do not change the computation

    /// Accepted with any value: initializers, seeds, `trainable`, names of nothing we compute.
    mutating func ignore(_ keys: String...) {
        used.formUnion(keys)
    }

    /// Accepted only when null (or absent): regularizers, constraints and other
    /// features cnnc does not implement, refused by name when set.
    mutating func requireNull(_ keys: String..., because reason: String) {
        for key in keys {
            guard let value = value(key), !value.isNull else { continue }
            error("'\(key)' is not supported by cnnc (\(reason)); remove it or set it to null", at: value.location)
        }
    }

    /// Accepted only with the one value cnnc implements (`data_format: channels_last`, `groups: 1`).
    mutating func requireValue(_ key: String, equalTo expected: String, matches: (SpecValue) -> Bool, because reason: String) {
        guard let value = value(key), !value.isNull else { return }
        if !matches(value) {
            error("'\(key): \(value.sourceText)' is not supported by cnnc (\(reason)); only \(expected) is", at: value.location)
        }
    }

    /// `data_format`: cnnc lays tensors out channels last, Keras's default
    /// (`axes`: what an image's or a sequence's are called in the message).
    mutating func channelsLast(axes: String = "height, width, channels") {
        requireValue("data_format", equalTo: "channels_last", matches: { $0.string == "channels_last" },
                     because: "tensors are laid out \(axes)")
    }

    /// Reports every argument no read has claimed, with the closest known name.
    /// A misspelling of a required argument is reported once, as the misspelling.
    mutating func finish(known: [String]) {
        var explained: Set<Int> = []
        for entry in entries where !used.contains(entry.key) {
            let suggestion = Suggestions.closest(to: entry.key, in: known)
            if let suggestion, let index = missingKeys[suggestion] { explained.insert(index) }
            let didYouMean = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            error("unknown argument '\(entry.key)' for \(className)\(didYouMean) (its arguments are: \(known.joined(separator: ", ")))", at: entry.keyLocation)
        }
        diagnostics = diagnostics.enumerated().filter { !explained.contains($0.offset) }.map(\.element)
    }

    // MARK: Wording

    private mutating func missing(_ key: String, meaning: String) {
        missingKeys[key] = diagnostics.count
        error("\(className) needs '\(key)' (\(meaning))", at: layerLocation)
    }

    private func describe(_ value: SpecValue) -> String {
        switch value.kind {
        case .int, .double, .bool, .null: value.sourceText
        default: "\(value.typeDescription) \(value.sourceText)"
        }
    }

    private func limitNote(_ value: SpecValue) -> String {
        if case .int(let number) = value.kind, number > ArgumentLimits.maximumSize {
            return " no larger than \(ArgumentLimits.maximumSizeText)"
        }
        return ""
    }

    private func quoted(_ options: [String]) -> String {
        options.map { "'\($0)'" }.joined(separator: ", ")
    }
}
