extension KerasWeightsFile {
    /// Keras's names for the places of a model's layers in its weights file
    /// (`layers/<place>/vars`), given their class names in `model.layers` order.
    ///
    /// Keras 3 (keras/src/saving/saving_lib.py, `_save_container_state`) names each
    /// saveable in a list by its class, not by its name: `to_snake_case` of
    /// `saveable.__class__.__name__`, made unique by `_get_unique_name`: the first use of
    /// a name is the name itself, the n-th further use gets "_n" (`conv2d`, `conv2d_1`,
    /// `conv2d_2`), counted per name, whatever the layers are called.
    public static func places(forClassNames classNames: [String]) -> [String] {
        var uses: [String: Int] = [:]
        return classNames.map { className in
            let name = snakeCase(canonicalClassName(className))
            if let count = uses[name] {
                uses[name] = count + 1
                return "\(name)_\(count + 1)"
            }
            uses[name] = 0
            return name
        }
    }

    /// Keras's `to_snake_case` (keras/src/utils/naming.py): drop characters that are not
    /// letters, digits or "_"; put "_" before each capital followed by lower-case
    /// letters (unless first); put "_" between a lower-case letter and a capital; lower
    /// the case. `Conv2D` → `conv2d`, `ReLU` → `re_lu`, `MaxPooling2D` → `max_pooling2d`.
    /// Python's `re.sub` replaces left to right without overlapping matches, as Swift's
    /// `replacing` does.
    public static func snakeCase(_ className: String) -> String {
        var name = String(String.UnicodeScalarView(className.unicodeScalars.filter(isWordCharacter)))
        name = name.replacing(/(.)([A-Z][a-z]+)/) { "\($0.output.1)_\($0.output.2)" }
        name = name.replacing(/([a-z])([A-Z])/) { "\($0.output.1)_\($0.output.2)" }
        return name.lowercased()
    }

    /// Python's `\w` for `str` patterns: Unicode letters and digits, and "_".
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// The class a Keras 3 alias names (`MaxPool2D` is `MaxPooling2D`): Keras saves a
    /// layer under its class's own name, whichever name built it.
    public static func canonicalClassName(_ className: String) -> String {
        classAliases[className] ?? className
    }

    /// `keras.layers` names that are other names of a class (Keras 3.15).
    static let classAliases: [String: String] = [
        "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D", "AvgPool3D": "AveragePooling3D",
        "Convolution1D": "Conv1D", "Convolution1DTranspose": "Conv1DTranspose",
        "Convolution2D": "Conv2D", "Convolution2DTranspose": "Conv2DTranspose",
        "Convolution3D": "Conv3D", "Convolution3DTranspose": "Conv3DTranspose",
        "GlobalAvgPool1D": "GlobalAveragePooling1D", "GlobalAvgPool2D": "GlobalAveragePooling2D",
        "GlobalAvgPool3D": "GlobalAveragePooling3D", "GlobalMaxPool1D": "GlobalMaxPooling1D",
        "GlobalMaxPool2D": "GlobalMaxPooling2D", "GlobalMaxPool3D": "GlobalMaxPooling3D",
        "GroupQueryAttention": "GroupedQueryAttention", "MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D",
        "MaxPool3D": "MaxPooling3D", "SeparableConvolution1D": "SeparableConv1D",
        "SeparableConvolution2D": "SeparableConv2D",
    ]
}
