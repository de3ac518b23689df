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

    /// `withUnsafeTemporaryAllocation(of: element, capacity:)` around `body`,
    /// which sees the buffer as `name`. The body is a nested function rather
    /// than a closure: Swift type-checks a closure's statements together with
    /// the call it is passed to, and a 790-line pixel-lane kernel took 20.7 s
    /// to type-check as a closure and 0.5 s as a function (the debug build
    /// of the tests spent 43 s on one fixture's two such kernels). `do` keeps
    /// the function's name to its own scope.
    mutating func temporaryAllocation(of element: String, capacity: Int, named name: String, _ body: (inout SourceWriter) -> Void) {
        block("do") { out in
            out.block("func withTemporary(_ \(name): UnsafeMutableBufferPointer<\(element)>)", body)
            out.line("withUnsafeTemporaryAllocation(of: \(element).self, capacity: \(capacity), withTemporary)")
        }
    }

    /// `if condition {`, `then` one level deeper, `} else {`, `otherwise`, `}`.
    mutating func ifElse(_ condition: String, then: (inout SourceWriter) -> Void, otherwise: (inout SourceWriter) -> Void) {
        line("if \(condition) {")
        depth += 1
        then(&self)
        depth -= 1
        line("} else {")
        depth += 1
        otherwise(&self)
        depth -= 1
        line("}")
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

extension SourceWriter {
    /// `for variable in 0..<count { body }`, the body given the variable as an
    /// `Index`. One iteration is written as a `do` block whose body sees the
    /// constant 0, so its arithmetic folds (`oy * 28` is gone, not `0 * 28`);
    /// no iterations write nothing.
    mutating func loop(_ variable: String, count: Int, _ body: (inout SourceWriter, Index) -> Void) {
        switch count {
        case ...0: return
        case 1: block("do") { out in body(&out, Index(0)) }
        default: block("for \(variable) in 0..<\(count)") { out in body(&out, Index(variable)) }
        }
    }

    /// Nested loops, outermost first, as `loop` writes each; the single-iteration
    /// ones need no scope of their own inside a real loop, so a nest writes at
    /// most one `do`, when every loop in it runs once.
    mutating func loops(_ nest: [(variable: String, count: Int)], _ body: (inout SourceWriter, [Index]) -> Void) {
        guard nest.allSatisfy({ $0.count > 0 }) else { return }
        func open(_ level: Int, _ indices: [Index], _ out: inout SourceWriter) {
            guard level < nest.count else { return body(&out, indices) }
            let (variable, count) = nest[level]
            if count == 1 {
                open(level + 1, indices + [Index(0)], &out)
            } else {
                out.block("for \(variable) in 0..<\(count)") { out in open(level + 1, indices + [Index(variable)], &out) }
            }
        }
        if nest.allSatisfy({ $0.count == 1 }) {
            block("do") { out in body(&out, nest.map { _ in Index(0) }) }
        } else {
            open(0, [], &self)
        }
    }
}
