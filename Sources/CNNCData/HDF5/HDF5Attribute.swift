/// An attribute of a group or dataset, decoded when the file is opened.
public struct HDF5Attribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        /// Fixed-length or variable-length strings, decoded as UTF-8.
        case strings([String])
        /// Integers of any width; uint64 values above Int64.max make the attribute unsupported.
        case integers([Int64])
        /// Floating-point numbers of 16, 32 or 64 bits, as Double (exact).
        case floats([Double])
        /// A type this reader does not read; the text says what it is. Reading the
        /// attribute through `attribute(_:)` refuses it by name.
        case unsupported(String)
    }

    public let name: String
    /// [] for a scalar; elements are stored in row-major order.
    public let shape: [Int]
    public let value: Value

    public init(name: String, shape: [Int], value: Value) {
        self.name = name
        self.shape = shape
        self.value = value
    }

    public var strings: [String]? {
        if case .strings(let values) = value { return values }
        return nil
    }

    /// The string of a scalar or one-element string attribute.
    public var string: String? {
        if let strings, strings.count == 1 { return strings[0] }
        return nil
    }

    public var integers: [Int64]? {
        if case .integers(let values) = value { return values }
        return nil
    }

    public var floats: [Double]? {
        if case .floats(let values) = value { return values }
        return nil
    }
}

/// Looks an attribute up by name for a group or dataset, refusing missing and unsupported
/// attributes with a message that names the owner.
func lookUpAttribute(
    _ name: String, in attributes: [HDF5Attribute], ownerScope: Scope
) throws(HDF5Error) -> HDF5Attribute {
    guard let attribute = attributes.first(where: { $0.name == name }) else {
        let names = attributes.map { "'\($0.name)'" }
        let list = names.isEmpty ? "it has no attributes" : "its attributes are " + names.joined(separator: ", ")
        throw ownerScope.refusal("has no attribute '\(name)'; \(list)")
    }
    if case .unsupported(let what) = attribute.value {
        throw ownerScope.refusal(
            "has attribute '\(name)' of type \(what); cnnc reads numeric and string attributes only")
    }
    return attribute
}
