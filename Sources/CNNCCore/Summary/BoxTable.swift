/// A table drawn the way `rich` draws Keras's `model.summary()`: heavy-head
/// box glyphs, one space of padding per side, a rule between rows, and text
/// that wraps at spaces and is cut with `…` when one word is too long.
struct BoxTable {
    enum Alignment { case left, right }

    struct Column {
        var header: String
        var alignment: Alignment
        /// Width in characters including the two padding spaces, excluding borders.
        var width: Int
    }

    var columns: [Column]
    var rows: [[String]] = []

    /// Column widths as Keras asks rich for them: each column gets
    /// `int(position × line_length)` minus the previous positions, rich adds
    /// the padding, then takes any excess over the width inside the borders
    /// away evenly (`ratio_reduce`, rounding halves to even as Python does).
    static func kerasWidths(lineLength: Int, positions: [Double]) -> [Int]? {
        var requested: [Int] = []
        var current = 0
        for position in positions {
            let width = Int(position * Double(lineLength)) - current
            guard width >= 4 else { return nil }
            requested.append(width)
            current += width
        }
        let available = lineLength - (positions.count + 1)
        var widths = requested.map { min($0 + 2, available) }
        let excess = widths.reduce(0, +) - available
        if excess > 0 {
            var remaining = excess
            var ratioLeft = widths.count
            for index in widths.indices {
                let share = min(widths[index], pythonRound(Double(remaining) / Double(ratioLeft)))
                widths[index] -= share
                remaining -= share
                ratioLeft -= 1
            }
        }
        return widths
    }

    /// Python's `round`: halves go to the even neighbour.
    static func pythonRound(_ value: Double) -> Int {
        Int(value.rounded(.toNearestOrEven))
    }

    func render() -> String {
        var lines: [String] = []
        lines.append(rule("┏", "━", "┳", "┓"))
        lines += renderRow(columns.map(\.header), edge: "┃")
        lines.append(rule("┡", "━", "╇", "┩"))
        for (index, row) in rows.enumerated() {
            if index > 0 { lines.append(rule("├", "─", "┼", "┤")) }
            lines += renderRow(row, edge: "│")
        }
        lines.append(rule("└", "─", "┴", "┘"))
        return lines.joined(separator: "\n")
    }

    private func rule(_ left: String, _ fill: String, _ middle: String, _ right: String) -> String {
        left + columns.map { String(repeating: fill, count: $0.width) }.joined(separator: middle) + right
    }

    private func renderRow(_ cells: [String], edge: String) -> [String] {
        let wrapped = zip(cells, columns).map { text, column in
            TextWrapping.lines(text, width: column.width - 2, alignment: column.alignment)
        }
        let height = wrapped.map(\.count).max() ?? 1
        return (0..<height).map { lineIndex in
            let parts = zip(wrapped, columns).map { lines, column in
                " " + (lineIndex < lines.count ? lines[lineIndex] : String(repeating: " ", count: column.width - 2)) + " "
            }
            return edge + parts.joined(separator: edge) + edge
        }
    }
}

/// rich's word wrapping with `overflow="ellipsis"`: break before a word that
/// does not fit, never inside one; a line still too long keeps its first
/// width - 1 characters and ends in `…`. Every line is padded to the width.
enum TextWrapping {
    static func lines(_ text: String, width: Int, alignment: BoxTable.Alignment) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in words(text) {
            let wordLength = word.trimmingTrailingWhitespace().count
            if width - current.count >= wordLength || current.isEmpty {
                current += word
            } else {
                lines.append(current)
                current = word
            }
        }
        lines.append(current)
        return lines.map { fit($0, width: width, alignment: alignment) }
    }

    /// Words with the white space that follows them, as rich's `\s*\S+\s*`.
    private static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inTrailingSpace = false
        for character in text {
            if character.isWhitespace {
                current.append(character)
                if !current.allSatisfy(\.isWhitespace) { inTrailingSpace = true }
            } else {
                if inTrailingSpace {
                    words.append(current)
                    current = ""
                    inTrailingSpace = false
                }
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    private static func fit(_ line: String, width: Int, alignment: BoxTable.Alignment) -> String {
        var line = line
        if alignment == .right || line.count > width { line = line.trimmingTrailingWhitespace() }
        if line.count > width { line = String(line.prefix(max(width - 1, 0))) + "…" }
        let padding = String(repeating: " ", count: max(width - line.count, 0))
        return alignment == .left ? line + padding : padding + line
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var result = self
        while result.last?.isWhitespace == true { result.removeLast() }
        return result
    }
}
