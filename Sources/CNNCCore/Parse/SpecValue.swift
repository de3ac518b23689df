/// A value from a spec file with the place it was written: the common tree
/// that both the YAML spec language and Keras's JSON are read into.
public struct SpecValue: Sendable {
    public enum Kind: Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case list([SpecValue])
        case map([SpecEntry])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// What a user would call this kind of value, for "expected X, got Y" messages.
    public var typeDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number with a fraction"
        case .string: "a string"
        case .list: "a list"
        case .map: "a mapping"
        }
    }

    /// A short rendering of the value for messages (`"32"`, `3.5`, `[2, 2]`).
    public var sourceText: String {
        switch kind {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): "\"\(s)\""
        case .list(let items): "[" + items.map(\.sourceText).joined(separator: ", ") + "]"
        case .map(let entries): "{" + entries.map { "\($0.key): \($0.value.sourceText)" }.joined(separator: ", ") + "}"
        }
    }

    public var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    public var string: String? {
        if case .string(let s) = kind { return s }
        return nil
    }

    public var list: [SpecValue]? {
        if case .list(let items) = kind { return items }
        return nil
    }

    public var entries: [SpecEntry]? {
        if case .map(let entries) = kind { return entries }
        return nil
    }

    /// The value under `key` when this is a mapping.
    public subscript(key: String) -> SpecValue? {
        entries?.first { $0.key == key }?.value
    }
}

/// One `key: value` pair of a mapping; keys keep their own location so that
/// an unknown argument can be pointed at exactly.
public struct SpecEntry: Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: SpecValue

    public init(key: String, keyLocation: SourceLocation, value: SpecValue) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
