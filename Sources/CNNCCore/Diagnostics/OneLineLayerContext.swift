/// Keras's `model.to_json()` writes the whole model on one line, so a place
/// such as `m.json:1:1753` tells a reader little. In such a file each
/// diagnostic also names the layer it falls in, as a Keras user would reach
/// it: `model.layers[3]` ('conv2d_1'), or `model.layers[1].layers[4]` inside
/// a nested model. The file:line:column stays first, for editors and tools.
enum OneLineLayerContext {
    /// A line longer than this is not read by eye; shorter one-line files are left alone.
    static let longLine = 160

    /// A layer object of the file: how to reach it, its name and class, and the
    /// columns it spans (from its start to the last value inside it).
    struct Layer {
        var path: String
        var name: String?
        var className: String
        var columns: ClosedRange<Int>
    }

    static func annotate(_ diagnostics: [Diagnostic], root: SpecValue) -> [Diagnostic] {
        // Every .keras file's config is one line: walk it only when there is something to place.
        guard diagnostics.contains(where: { $0.location.line == 1 }), let file = oneLongLineFile(root) else { return diagnostics }
        var layers: [Layer] = []
        collectLayers(in: root, path: nil, into: &layers)
        guard !layers.isEmpty else { return diagnostics }
        return diagnostics.map { diagnostic in
            guard diagnostic.location.file == file, diagnostic.location.line == 1,
                  let layer = innermost(layers, containing: diagnostic.location.column) else { return diagnostic }
            var annotated = diagnostic
            // Most messages already start with the layer's name.
            let name = layer.name.map { diagnostic.message.hasPrefix("\($0):") ? "" : "'\($0)', " } ?? ""
            annotated.message += " (in \(layer.path), \(name)\(layer.className))"
            return annotated
        }
    }

    /// The file `root` came from when all of it is on one long line.
    private static func oneLongLineFile(_ root: SpecValue) -> String? {
        var lastColumn = 0
        var multiline = false
        visit(root) { location in
            if location.line > 1 { multiline = true }
            lastColumn = max(lastColumn, location.column)
        }
        return multiline || lastColumn < longLine ? nil : root.location.file
    }

    /// Keras's layer objects (`class_name` and `config`, a model's layers in
    /// `config.layers`) and the spec language's (`{Conv2D: {...}}` items of `layers`).
    private static func collectLayers(in value: SpecValue, path: String?, into layers: inout [Layer]) {
        if let className = value["class_name"]?.string, let config = value["config"] {
            if let path {
                layers.append(Layer(path: path, name: config["name"]?.string, className: className, columns: span(of: value)))
            }
            // A Sequential model's `layers` leaves out its InputLayer; a Functional model's keeps them.
            var items = config["layers"]?.list ?? []
            if className == "Sequential" { items.removeAll { $0["class_name"]?.string == "InputLayer" } }
            for (index, item) in items.enumerated() {
                collectLayers(in: item, path: "\(path ?? "model").layers[\(index)]", into: &layers)
            }
        } else if path == nil, let items = value["layers"]?.list {
            for (index, item) in items.enumerated() {
                guard let entries = item.entries, entries.count == 1 else { continue }
                layers.append(Layer(path: "layers[\(index)]", name: entries[0].value["name"]?.string,
                                    className: entries[0].key, columns: span(of: item)))
            }
        }
    }

    private static func span(of value: SpecValue) -> ClosedRange<Int> {
        var last = value.location.column
        visit(value) { last = max(last, $0.column) }
        return value.location.column...last
    }

    /// Nested layers start later than the model layer that holds them.
    private static func innermost(_ layers: [Layer], containing column: Int) -> Layer? {
        layers.filter { $0.columns.contains(column) }.max { $0.columns.lowerBound < $1.columns.lowerBound }
    }

    /// Every location in `value`, keys included.
    private static func visit(_ value: SpecValue, _ body: (SourceLocation) -> Void) {
        body(value.location)
        switch value.kind {
        case .list(let items):
            for item in items { visit(item, body) }
        case .map(let entries):
            for entry in entries {
                body(entry.keyLocation)
                visit(entry.value, body)
            }
        default:
            break
        }
    }
}
