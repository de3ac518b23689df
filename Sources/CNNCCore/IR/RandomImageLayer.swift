/// A Keras image augmentation layer (`RandomFlip`, `RandomRotation`,
/// `RandomZoom`, `RandomTranslation`, `RandomContrast`, `RandomBrightness`):
/// random in training, identity at inference, where Keras's `predict`,
/// `evaluate` and the model called with `training=False` pass images through.
/// Its arguments are kept as written (checked by `RandomImageArguments`), so
/// that `cnnc export` writes the layer back as Keras would.
public struct RandomImageLayer: Hashable, Sendable, Codable {
    /// Keras's class name, `RandomFlip`.
    public var className: String
    /// Its arguments by Keras's names, seed and data format left out.
    public var arguments: [String: RandomImageArgument]
}

/// One argument of an image augmentation layer, as its config writes it.
public enum RandomImageArgument: Hashable, Sendable, Codable {
    case null
    case number(Double)
    /// A range, `factor: [-0.2, 0.3]` or `value_range: [0, 255]`.
    case numbers([Double])
    case word(String)

    /// The value as JSON writes it.
    var jsonValue: Any {
        switch self {
        case .null: Optional<Any>.none as Any
        case .number(let value): value
        case .numbers(let values): values
        case .word(let word): word
        }
    }
}
