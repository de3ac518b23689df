/// Accumulates Swift source line by line with indentation, so emitters read
/// like the code they write.
struct SourceWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String = "") {
        text += content.isEmpty ? "\n" : String(repeating: "    ", count: depth) + content + "\n"
    }

    /// `header {`, the body one level deeper, then `}` (or `closing`).
    mutating func block(_ header: String, opening: String = " {", closing: String = "}", _ body: (inout SourceWriter) -> Void) {
        line(header + opening)
        depth += 1
        body(&self)
        depth -= 1
        line(closing)
    }

    /// Lines of a `///` documentation comment.
    mutating func doc(_ lines: String...) {
        for content in lines { line("/// " + content) }
    }
}
