import CNNCRuntime
import Foundation

/// A confusion matrix as a table: one row per true class, one column per
/// predicted class, and each class's recall at the end of its row.
package enum ConfusionMatrixText {
    package static func render(_ confusion: [[Int]], classNames: [String]) -> String {
        let count = confusion.count
        let names = classNames.count == count ? classNames : (0..<count).map(String.init)
        let labelWidth = max("true \\ predicted".count, names.map(\.count).max() ?? 1)
        let widestCount: Int = confusion.joined().map { String($0).count }.max() ?? 1
        let cellWidth: Int = max(widestCount, String(max(count - 1, 0)).count) + 1
        func pad(_ text: String, _ width: Int, left: Bool = true) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return left ? fill + text : text + fill
        }
        var lines = [pad("true \\ predicted", labelWidth, left: false) + (0..<count).map { pad(String($0), cellWidth) }.joined() + "  recall"]
        for (row, counts) in confusion.enumerated() {
            let total = counts.reduce(0, +)
            let recall = total == 0 ? "-" : String(format: "%.4f", Double(counts[row]) / Double(total))
            lines.append(pad(names[row], labelWidth, left: false) + counts.map { pad(String($0), cellWidth) }.joined() + "  " + recall)
        }
        if classNames.count == count, classNames != (0..<count).map(String.init) {
            lines.append("columns: " + (0..<count).map { "\($0) = \(names[$0])" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
