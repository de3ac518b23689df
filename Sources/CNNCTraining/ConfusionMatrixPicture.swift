import Foundation

/// A confusion matrix as a heat map: a cell per (true, predicted) class with
/// its count, shaded by its share of the true class's samples on viridis
/// (dark for few, yellow for all), and each class's recall at the end of its
/// row. Class names label the rows and columns when the data set has them.
/// A self-contained, deterministic SVG with a title and a description.
package enum ConfusionMatrixPicture {
    static let cell = 40, labelWidth = 120, top = 64

    /// Viridis at eleven stops, from 0 (none of the row) to 1 (all of it).
    static let viridis = Viridis.hexStops

    package static func svg(_ confusion: [[Int]], classNames: [String], title: String) -> String {
        let count = confusion.count
        let names = classNames.count == count ? classNames : (0..<count).map(String.init)
        let width = labelWidth + count * cell + 90, height = top + count * cell + 48
        let total = confusion.joined().reduce(0, +)
        let correct = (0..<count).reduce(0) { $0 + confusion[$1][$1] }
        let accuracy = total == 0 ? "-" : String(format: "%.4f", Double(correct) / Double(total))
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"title description\">",
                   "<title id=\"title\">\(SVGText.escaped(title))</title>",
                   "<desc id=\"description\">\(SVGText.escaped("Confusion matrix of \(title): \(count) classes, \(total) samples, accuracy \(accuracy); rows are true classes, columns predicted classes."))</desc>",
                   "<style>",
                   "  .label { fill: #1b1b1b; font: 12px sans-serif; } .light { fill: #ffffff; font: 11px sans-serif; } .dark { fill: #1b1b1b; font: 11px sans-serif; }",
                   "  @media (prefers-color-scheme: dark) { .label { fill: #f0f0f0; } }",
                   "</style>",
                   "<text class=\"label\" x=\"8\" y=\"18\">\(SVGText.escaped(title)): accuracy \(accuracy) over \(total) samples</text>",
                   "<text class=\"label\" x=\"\(labelWidth)\" y=\"38\">predicted →</text>",
                   "<text class=\"label\" x=\"8\" y=\"\(top - 8)\">true ↓</text>",
                   "<text class=\"label\" x=\"\(labelWidth + count * cell + 8)\" y=\"\(top - 8)\">recall</text>"]
        for column in 0..<count {
            out.append("<text class=\"label\" x=\"\(labelWidth + column * cell + cell / 2)\" y=\"\(top - 8)\" text-anchor=\"middle\">\(SVGText.escaped(short(names[column])))</text>")
        }
        for (row, counts) in confusion.enumerated() {
            let y = top + row * cell
            let rowTotal = counts.reduce(0, +)
            out.append("<text class=\"label\" x=\"8\" y=\"\(y + cell / 2 + 4)\">\(SVGText.escaped(short(names[row], limit: 16)))</text>")
            for (column, value) in counts.enumerated() {
                let share = rowTotal == 0 ? 0 : Double(value) / Double(rowTotal)
                let stop = Int((share * Double(viridis.count - 1)).rounded())
                let x = labelWidth + column * cell
                out.append("<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 1)\" height=\"\(cell - 1)\" fill=\"\(viridis[stop])\"><title>true \(SVGText.escaped(names[row])), predicted \(SVGText.escaped(names[column])): \(value)</title></rect>")
                // Light text on the dark end of the scale, dark on the bright end.
                out.append("<text class=\"\(stop < 6 ? "light" : "dark")\" x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\">\(value)</text>")
            }
            let recall = rowTotal == 0 ? "-" : String(format: "%.3f", Double(counts[row]) / Double(rowTotal))
            out.append("<text class=\"label\" x=\"\(labelWidth + count * cell + 8)\" y=\"\(y + cell / 2 + 4)\">\(recall)</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// A column label fits its cell; the full name is in each cell's tooltip.
    static func short(_ name: String, limit: Int = 5) -> String {
        name.count <= limit ? name : String(name.prefix(limit - 1)) + "…"
    }

}
