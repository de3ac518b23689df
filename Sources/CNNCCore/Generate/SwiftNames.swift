/// Names in generated Swift: the model's type from its spec file name (as
/// swift-protobuf derives names from .proto files) and the layer functions.
public enum SwiftNames {
    /// `cats_vs_dogs.yaml` → `CatsVsDogs`; `lenet5.yaml` → `Lenet5`; `3d.yaml` → `Model3d`;
    /// `float.yaml` → `FloatModel` (a name generated code already uses, see `reservedTypeNames`).
    public static func typeName(forSpecPath path: String) -> String {
        let stem = fileStem(path)
        let words = stem.split { !($0.isLetter || $0.isNumber) || !$0.isASCII }
        var name = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if name.isEmpty || name.first!.isNumber { name = "Model" + name }
        if reservedTypeNames.contains(name) { name += "Model" }
        return name
    }

    /// Capitalized names that generated code uses or Swift reserves: a model
    /// type of one of these names would shadow it or not compile (`self.yaml`,
    /// `float.yaml`, `any.yaml`). A test keeps this list a superset of the
    /// capitalized identifiers in every committed generated file.
    static let reservedTypeNames = Set<String>([
        // Swift's capitalized keywords, and types of its standard library and Foundation.
        "Self", "Any", "Type", "Protocol", "Swift", "Foundation", "Float", "Double", "Int", "UInt64", "Bool", "String",
        "Void", "Range", "Array", "Error", "Sendable", "UnsafePointer", "UnsafeMutablePointer", "UnsafeMutableBufferPointer", "UnsafeRawPointer", "UnsafeMutableRawPointer", "SIMD2", "SIMD4", "SIMD8",
        "SIMD16", "SIMD32", "SIMD64",
        // CNNCRuntime's names in generated code.
        "CNNCRuntime", "CNNCRuntimeAPIVersion3", "CNNCRuntimeAPIVersion4", "CNNCRuntimeAPIVersion5", "CNNCRuntimeAPIVersion6", "CNNCRuntimeAPIVersion7", "CNNCRuntimeAPIVersion8", "CNNCRuntimeAPIVersionCheck", "CompiledModel", "TrainableModel",
        "LayerDescription", "TensorLayout", "LossFunction", "ModelLoss", "RuntimeError", "SplitMix64", "VectorMath", "WeightPacking",
        "WorkerPool", "UnoptimizedBuildWarning", "PackedWeights", "RandomImageOperations", "ResamplingTables",
        // Names declared inside generated types and functions.
        "Arena", "Version",
    ]).union(VectorTypes.widths.map(VectorTypes.name)) // the file's vector types

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
        "\"" + literalContent(text) + "\""
    }

    /// The lines of a multi-line string literal (`"""` … `"""`) that means
    /// exactly `lines` joined by newlines, each escaped as `stringLiteral` escapes.
    /// A quote is escaped only after another quote, which is enough to keep
    /// `"""` out of the text and leaves JSON readable.
    static func multiLineStringLiteral(_ lines: [String]) -> [String] {
        ["\"\"\""] + lines.map { literalContent($0, quotesAfterQuotesOnly: true) } + ["\"\"\""]
    }

    /// `text` escaped to stand inside a string literal.
    private static func literalContent(_ text: String, quotesAfterQuotesOnly: Bool = false) -> String {
        var literal = ""
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": literal += "\\\\"
            case "\"": literal += quotesAfterQuotesOnly && previous != "\"" ? "\"" : "\\\""
            default: literal += escaped(scalar)
            }
            previous = scalar
        }
        return literal
    }

    /// `text` on one line, as every line of generated code must be: a name in a
    /// comment cannot end the comment and start code. `SourceWriter` passes
    /// every line through it; lines the generator writes are unchanged.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isPrintable($0) }) else { return text }
        return text.unicodeScalars.map(escaped).joined()
    }

    /// A scalar as it may stand in generated Swift: itself when printable, else an escape.
    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: isPrintable(scalar) ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
        }
    }

    /// Not a control, format, separator or noncharacter code point: what may stand
    /// in a line of Swift without ending it or hiding what follows.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        // Printable ASCII, almost every character generated, without the
        // Unicode tables (which took half of generating a deep model).
        if scalar.value >= 0x20 && scalar.value < 0x7F { return true }
        let category = scalar.properties.generalCategory
        return scalar.value >= 0x20 && scalar.value != 0x7F && !scalar.properties.isNoncharacterCodePoint
            && category != .format && category != .control && category != .lineSeparator && category != .paragraphSeparator
    }
}
