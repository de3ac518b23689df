import Foundation
import Yams

/// Reads a spec file (YAML, or JSON, which YAML's flow style contains) into a
/// located `SpecValue` tree. libyaml gives every node its line and column, so
/// one reader serves both formats with exact positions.
public enum SpecReader {
    /// Reads and parses the file at `path`; every failure is a located diagnostic.
    public static func read(path: String) throws(DiagnosticsError) -> SpecValue {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path)
                ? "cannot read the spec file (is it a readable file, not a folder?)"
                : "no such spec file"
            throw DiagnosticsError([Diagnostic(.error, reason, at: start)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticsError([Diagnostic(.error, "the spec file is not UTF-8 text", at: start)])
        }
        return try parse(text: text, file: path)
    }

    /// Parses spec text that came from `file` (used in messages only).
    public static func parse(text: String, file: String) throws(DiagnosticsError) -> SpecValue {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if text.allSatisfy(\.isWhitespace) {
            throw DiagnosticsError([Diagnostic(
                .error, "the spec file is empty; expected a model with 'input_shape' and 'layers' (see README)",
                at: start)])
        }
        // JSON allows tabs between tokens where YAML does not; a tab can never
        // stand inside a JSON string, so turning tabs into spaces is safe and
        // keeps every column where it was.
        let source = looksLikeJSON(text) ? text.replacingOccurrences(of: "\t", with: " ") : text
        let root: Node?
        do {
            root = try Yams.compose(yaml: source)
        } catch let error as YamlError {
            throw DiagnosticsError([diagnostic(for: error, file: file, isJSON: looksLikeJSON(text))])
        } catch {
            throw DiagnosticsError([Diagnostic(.error, "cannot parse the spec: \(error)", at: start)])
        }
        guard let root else {
            throw DiagnosticsError([Diagnostic(
                .error, "the spec file has no content (only comments); expected a model with 'input_shape' and 'layers' (see README)",
                at: start)])
        }
        // Without aliases a document cannot hold more values than characters;
        // with them it can hold exponentially many ("billion laughs").
        var budget = text.utf8.count
        return try convert(root, file: file, budget: &budget)
    }

    static func looksLikeJSON(_ text: String) -> Bool {
        text.first { !$0.isWhitespace } == "{"
    }

    private static func diagnostic(for error: YamlError, file: String, isJSON: Bool) -> Diagnostic {
        let format = isJSON ? "JSON" : "YAML"
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Diagnostic(.error, "malformed \(format): \(problem)\(while_)", at: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return Diagnostic(.error, "duplicate key \(keys) in one mapping; each key may appear once", at: at(context.mark))
        case .reader(let problem, _, _, _):
            return Diagnostic(.error, "cannot read the spec as text: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return Diagnostic(.error, "malformed \(format): \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    private static func location(of node: Node, file: String) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The spec value of `node`; `budget` counts down one per value, and
    /// running out means aliases expand the document past its own size.
    private static func convert(_ node: Node, file: String, budget: inout Int) throws(DiagnosticsError) -> SpecValue {
        let here = location(of: node, file: file)
        budget -= 1
        if budget < 0 {
            throw DiagnosticsError([Diagnostic(.error, "YAML aliases (*name) expand this spec into more values than it has characters; write the values out instead of repeating an anchor", at: here)])
        }
        switch node {
        case .scalar(let scalar):
            return try SpecValue(scalarKind(scalar, at: here), at: here)
        case .sequence(let sequence):
            var items: [SpecValue] = []
            for item in sequence { items.append(try convert(item, file: file, budget: &budget)) }
            return SpecValue(.list(items), at: here)
        case .mapping(let mapping):
            var entries: [SpecEntry] = []
            for (key, value) in mapping {
                let keyLocation = location(of: key, file: file)
                guard case .scalar(let keyScalar) = key else {
                    throw DiagnosticsError([Diagnostic(.error, "a mapping key must be a plain name", at: keyLocation)])
                }
                entries.append(SpecEntry(key: keyScalar.string, keyLocation: keyLocation, value: try convert(value, file: file, budget: &budget)))
            }
            return SpecValue(.map(entries), at: here)
        case .alias:
            throw DiagnosticsError([Diagnostic(.error, "YAML aliases (*name) are not supported in specs; write the value out", at: here)])
        }
    }

    /// Types a scalar as YAML 1.2's core schema does, so `"32"` (quoted) stays
    /// a string and is reported as one instead of being silently coerced.
    private static func scalarKind(_ scalar: Node.Scalar, at location: SourceLocation) throws(DiagnosticsError) -> SpecValue.Kind {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if isInteger(text) {
            guard let value = Int(text) else {
                throw DiagnosticsError([Diagnostic(.error, "the number \(text) is too large; cnnc sizes must fit in 64 bits", at: location)])
            }
            return .int(value)
        }
        if isDecimal(text), let value = Double(text) { return .double(value) }
        return .string(text)
    }

    private static func isInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit)
    }

    private static func isDecimal(_ text: String) -> Bool {
        text.allSatisfy { $0.isASCIIDigit || "+-.eE".contains($0) } && text.contains(where: \.isASCIIDigit)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
