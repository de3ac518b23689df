/// Accumulates Swift source line by line with indentation, so emitters read
/// like the code they write.
struct SourceWriter {
    private(set) var text = ""
    private var depth = 0

    /// One line; spec text in it (a name in a comment) cannot break it (`SwiftNames.oneLine`).
    mutating func line(_ content: String = "") {
        text += content.isEmpty ? "\n" : String(repeating: "    ", count: depth) + SwiftNames.oneLine(content) + "\n"
    }

    /// `header {`, the body one level deeper, then `}` (or `closing`).
    mutating func block(_ header: String, opening: String = " {", closing: String = "}", _ body: (inout SourceWriter) -> Void) {
        line(header + opening)
        depth += 1
        body(&self)
        depth -= 1
        line(closing)
    }

    /// Every line of `written` (another writer's text), at this writer's depth.
    mutating func embed(_ written: String) {
        for content in written.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            line(String(content))
        }
    }

    /// Lines of a `///` documentation comment.
    mutating func doc(_ lines: String...) {
        for content in lines { line("/// " + content) }
    }
}
