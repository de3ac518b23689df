/// Names in generated Swift: the model's type from its spec file name (as
/// swift-protobuf derives names from .proto files) and the layer functions.
public enum SwiftNames {
    /// `cats_vs_dogs.yaml` → `CatsVsDogs`; `lenet5.yaml` → `Lenet5`; `3d.yaml` → `Model3d`.
    public static func typeName(forSpecPath path: String) -> String {
        let stem = fileStem(path)
        let words = stem.split { !($0.isLetter || $0.isNumber) || !$0.isASCII }
        var name = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if name.isEmpty || name.first!.isNumber { name = "Model" + name }
        return name
    }

    /// The generated file's name: `cats_vs_dogs.yaml` → `cats_vs_dogs.cnnc.swift`.
    public static func fileName(forSpecPath path: String) -> String {
        fileStem(path) + ".cnnc.swift"
    }

    /// The file name without folders and extensions (`Specs/a.keras.json` → `a`).
    static func fileStem(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.split(separator: ".").first.map(String.init) ?? file
    }

    /// A layer's function name: its position and a Swift-safe form of its name (`l3_conv_2`).
    static func layerFunction(index: Int, layerName: String) -> String {
        let safe = String(layerName.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        return "l\(index)_\(safe)"
    }

    /// `text` as a Swift string literal that means exactly `text`: the one
    /// place spec text becomes a literal in generated code. Quotes,
    /// backslashes (so no `\(…)` interpolation) and every control or
    /// non-printing character are escaped.
    public static func stringLiteral(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": literal += "\\\\"
            case "\"": literal += "\\\""
            case "\n": literal += "\\n"
            case "\r": literal += "\\r"
            case "\t": literal += "\\t"
            default:
                let printable = scalar.value >= 0x20 && scalar.value != 0x7F && !scalar.properties.isNoncharacterCodePoint
                    && scalar.properties.generalCategory != .format && scalar.properties.generalCategory != .control
                    && scalar.properties.generalCategory != .lineSeparator && scalar.properties.generalCategory != .paragraphSeparator
                literal += printable ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return literal + "\""
    }
}
