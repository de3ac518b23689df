/// Keras's default layer names: the class name in snake case (`Conv2D` →
/// `conv2d`, `ReLU` → `re_lu`), numbered from the second use on (`conv2d_1`).
/// Only layers without an explicit name draw a number, as in Keras.
struct KerasNaming {
    private var uses: [String: Int] = [:]

    /// The default model name of a Keras Sequential model.
    static let defaultModelName = "sequential"

    /// The default model name of a Keras Functional model (`keras.Model(inputs, outputs)`).
    static let defaultFunctionalModelName = "functional"

    /// Keras 3's name for a model's input when the file gives none.
    static let defaultInputName = "input_layer"

    /// Keras's `to_snake_case`.
    static func snakeCase(_ className: String) -> String {
        var name = className.filter { $0.isLetter || $0.isNumber || $0 == "_" }
        name = name.replacing(/(.)([A-Z][a-z]+)/) { "\($0.output.1)_\($0.output.2)" }
        name = name.replacing(/([a-z])([A-Z])/) { "\($0.output.1)_\($0.output.2)" }
        return name.lowercased()
    }

    mutating func defaultName(forClass className: String) -> String {
        let prefix = Self.snakeCase(className)
        let count = uses[prefix, default: 0]
        uses[prefix] = count + 1
        return count == 0 ? prefix : "\(prefix)_\(count)"
    }
}
