import Testing

/// A unified diff (`--- old`, `+++ new`, `@@` hunks with three lines of
/// context) of two texts, for golden-file failures: a drift shows every
/// changed line in place, not only the first. The common head and tail are
/// trimmed before the longest-common-subsequence table, so a small change in
/// a large file stays cheap.
enum UnifiedDiff {
    static func text(old: String, new: String, oldName: String, newName: String, context: Int = 3, maxLines: Int = 80) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let edits = middleEdits(Array(a[prefix..<(a.count - suffix)]), Array(b[prefix..<(b.count - suffix)]))

        // Every line as (kind, text, old line number, new line number), then hunks around the changes.
        var lines: [(kind: Character, text: String, oldLine: Int, newLine: Int)] = []
        for index in 0..<prefix { lines.append((" ", a[index], index + 1, index + 1)) }
        var oldLine = prefix + 1, newLine = prefix + 1
        for (kind, text) in edits {
            lines.append((kind, text, oldLine, newLine))
            if kind != "+" { oldLine += 1 }
            if kind != "-" { newLine += 1 }
        }
        for index in 0..<suffix { lines.append((" ", a[a.count - suffix + index], oldLine + index, newLine + index)) }

        var output = ["--- \(oldName)", "+++ \(newName)"]
        var index = 0
        while index < lines.count {
            guard lines[index].kind != " " else { index += 1; continue }
            let start = max(0, index - context)
            var end = index
            // Extend the hunk while the next change is within two contexts.
            while end < lines.count {
                if lines[end].kind != " " { end += 1; continue }
                let nextChange = lines[end...].firstIndex { $0.kind != " " }
                guard let nextChange, nextChange - end <= 2 * context else { break }
                end = nextChange
            }
            let stop = min(lines.count, end + context)
            let hunk = lines[start..<stop]
            let oldCount = hunk.filter { $0.kind != "+" }.count, newCount = hunk.filter { $0.kind != "-" }.count
            output.append("@@ -\(hunk.first!.oldLine),\(oldCount) +\(hunk.first!.newLine),\(newCount) @@")
            output += hunk.map { "\($0.kind)\($0.text)" }
            index = stop
        }
        if output.count > maxLines {
            let omitted = output.count - maxLines
            output = Array(output.prefix(maxLines)) + ["… \(omitted) more lines of diff"]
        }
        return output.joined(separator: "\n")
    }

    /// The edit script of two line lists: " " kept, "-" removed, "+" added.
    private static func middleEdits(_ a: [String], _ b: [String]) -> [(Character, String)] {
        // lcs[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits: [(Character, String)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                edits.append((" ", a[i])); i += 1; j += 1
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                edits.append(("+", b[j])); j += 1
            } else {
                edits.append(("-", a[i])); i += 1
            }
        }
        return edits
    }
}

/// Checks `actual` against a golden text; on a mismatch the failure shows a
/// unified diff from the golden to what the code makes now, and how to refresh.
func expectMatchesGolden(_ actual: String, _ golden: String, name: String, refresh: String,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    guard actual != golden else { return }
    Issue.record("""
        \(name) differs from its golden (refresh: \(refresh)):
        \(UnifiedDiff.text(old: golden, new: actual, oldName: name, newName: "\(name) (now)"))
        """, sourceLocation: sourceLocation)
}
