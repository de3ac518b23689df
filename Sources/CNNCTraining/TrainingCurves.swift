import Foundation
/// A training history drawn as Keras users draw `history.history` with
/// matplotlib: loss per epoch on the left, accuracy on the right, training
/// and validation as two lines each, and the best epoch marked (the lowest
/// validation loss, or the lowest training loss without validation). A
/// self-contained, deterministic SVG with a title and a description; its
/// colours (viridis's blue and green) follow the reader's light or dark theme.
public enum TrainingCurves {
    static let panelWidth = 360, panelHeight = 240, margin = 56, top = 48

    /// K-fold cross-validation: one thin line per fold (its validation, or its
    /// training without validation) behind the folds' mean, drawn as one run.
    public static func svg(folds: [TrainingHistory], title: String) -> String {
        svg(mean(of: folds), title: title, folds: folds)
    }

    /// Epoch by epoch, the mean of every fold that reached that epoch.
    static func mean(of folds: [TrainingHistory]) -> TrainingHistory {
        let epochs = folds.map(\.rows.count).max() ?? 0
        func average(_ values: [Double?]) -> Double? {
            let present = values.compactMap { $0 }
            return present.count == values.count && !present.isEmpty ? present.reduce(0, +) / Double(present.count) : nil
        }
        return TrainingHistory(rows: (0..<epochs).map { epoch in
            let rows = folds.compactMap { $0.rows.count > epoch ? $0.rows[epoch] : nil }
            return .init(epoch: epoch, accuracy: average(rows.map(\.accuracy)) ?? .nan, loss: average(rows.map(\.loss)) ?? .nan,
                         validationAccuracy: average(rows.map(\.validationAccuracy)), validationLoss: average(rows.map(\.validationLoss)),
                         seconds: rows.map(\.seconds).reduce(0, +))
        })
    }

    public static func svg(_ history: TrainingHistory, title: String, folds: [TrainingHistory] = []) -> String {
        let rows = history.rows
        let epochs = rows.map { Double($0.epoch + 1) }
        let validation = rows.contains { $0.validationLoss != nil }
        let best: Int? = validation
            ? rows.indices.filter { rows[$0].validationLoss != nil }.min { rows[$0].validationLoss! < rows[$1].validationLoss! }
            : rows.indices.min { rows[$0].loss < rows[$1].loss }
        let width = 2 * panelWidth + 3 * margin, height = top + panelHeight + 56
        var bestText = ""
        if let best { bestText = "; best epoch \(rows[best].epoch + 1) (\(validation ? "validation" : "training") loss \(format(validation ? rows[best].validationLoss! : rows[best].loss)))" }
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"title description\">",
                   "<title id=\"title\">\(SVGText.escaped(title))</title>",
                   "<desc id=\"description\">\(SVGText.escaped("Loss and accuracy of \(title) over \(rows.count) epoch\(rows.count == 1 ? "" : "s"), training\(validation ? " and validation" : "")\(folds.isEmpty ? "" : ", the mean of \(folds.count) folds, each fold's \(validation ? "validation" : "training") as a thin line")\(bestText)."))</desc>",
                   "<style>",
                   "  .axis { stroke: #555; fill: none; } .label { fill: #1b1b1b; font: 12px sans-serif; } .train { stroke: #3b528b; stroke-width: 2; fill: none; } .val { stroke: #5ec962; stroke-width: 2; fill: none; stroke-dasharray: 6 3; } .best { stroke: #fde725; stroke-width: 1.5; } .fold { stroke: #21918c; stroke-width: 1; fill: none; opacity: 0.5; }",
                   "  @media (prefers-color-scheme: dark) { .axis { stroke: #aaa; } .label { fill: #f0f0f0; } }",
                   "</style>",
                   "<text class=\"label\" x=\"\(margin)\" y=\"18\">\(SVGText.escaped(title))</text>"]
        // Each fold's line: its validation where the run has one, else its training.
        func foldLines(_ value: (TrainingHistory.Row) -> Double?, _ training: (TrainingHistory.Row) -> Double) -> [[Double?]] {
            folds.map { $0.rows.map { validation ? value($0) : training($0) } }
        }
        let panels: [(String, [Double], [Double?], [[Double?]])] = [
            ("loss", rows.map(\.loss), rows.map(\.validationLoss), foldLines(\.validationLoss, \.loss)),
            ("accuracy", rows.map(\.accuracy), rows.map(\.validationAccuracy), foldLines(\.validationAccuracy, \.accuracy)),
        ]
        for (number, (name, train, held, perFold)) in panels.enumerated() {
            let left = margin + number * (panelWidth + margin)
            out += panel(name: name, left: left, epochs: epochs, train: train, validation: held, folds: perFold, best: best)
        }
        let foldKey = folds.isEmpty ? "" : "   (thin: each of \(folds.count) folds; thick: their mean)"
        out.append("<text class=\"label\" x=\"\(margin)\" y=\"\(top + panelHeight + 40)\">— training\(validation ? "   - - validation" : "")\(best.map { "   | best epoch \(rows[$0].epoch + 1)" } ?? "")\(foldKey)</text>")
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    private static func panel(name: String, left: Int, epochs: [Double], train: [Double], validation: [Double?], folds: [[Double?]], best: Int?) -> [String] {
        let values = (train + validation.compactMap { $0 } + folds.joined().compactMap { $0 }).filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-9 { low -= 0.5; high += 0.5 }
        let first = epochs.first ?? 1, last = max(epochs.last ?? 1, first + 1)
        func x(_ epoch: Double) -> Int { left + Int(((epoch - first) / (last - first) * Double(panelWidth)).rounded()) }
        func y(_ value: Double) -> Int { top + Int(((high - value) / (high - low) * Double(panelHeight)).rounded()) }
        var out = ["<rect class=\"axis\" x=\"\(left)\" y=\"\(top)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\"/>",
                   "<text class=\"label\" x=\"\(left)\" y=\"\(top - 6)\">\(name)</text>",
                   "<text class=\"label\" x=\"\(left - 4)\" y=\"\(top + 12)\" text-anchor=\"end\">\(format(high))</text>",
                   "<text class=\"label\" x=\"\(left - 4)\" y=\"\(top + panelHeight)\" text-anchor=\"end\">\(format(low))</text>",
                   "<text class=\"label\" x=\"\(left)\" y=\"\(top + panelHeight + 16)\">epoch \(Int(first))</text>",
                   "<text class=\"label\" x=\"\(left + panelWidth)\" y=\"\(top + panelHeight + 16)\" text-anchor=\"end\">\(Int(epochs.last ?? first))</text>"]
        if let best, best < epochs.count {
            out.append("<line class=\"best\" x1=\"\(x(epochs[best]))\" y1=\"\(top)\" x2=\"\(x(epochs[best]))\" y2=\"\(top + panelHeight)\"/>")
        }
        func line(_ points: [(Double, Double)], _ style: String) -> String? {
            let finite = points.filter { $0.1.isFinite }
            guard !finite.isEmpty else { return nil }
            return "<polyline class=\"\(style)\" points=\"\(finite.map { "\(x($0.0)),\(y($0.1))" }.joined(separator: " "))\"/>"
        }
        for fold in folds {
            let points = zip(epochs, fold).compactMap { epoch, value in value.map { (epoch, $0) } }
            if let path = line(points, "fold") { out.append(path) }
        }
        if let path = line(Array(zip(epochs, train)), "train") { out.append(path) }
        let held = zip(epochs, validation).compactMap { epoch, value in value.map { (epoch, $0) } }
        if let path = line(held, "val") { out.append(path) }
        return out
    }

    static func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
