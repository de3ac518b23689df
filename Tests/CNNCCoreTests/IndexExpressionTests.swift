@testable import CNNCCore
import Foundation
import Testing

/// Generated code states its integer arithmetic simplified: no `oy * 1`,
/// `w + 0` or loop of one iteration for a reader to see through (issue 13).
@Suite struct IndexExpressionTests {
    @Test func trivialArithmeticFoldsAsItIsBuilt() {
        let oy = Index("oy"), ky = Index("ky"), ox = Index("ox")
        #expect("\((oy * 1 + ky * 1) * 32 + Index(0))" == "(oy + ky) * 32")
        #expect("\((Index(0) * 5 + ky) * 3)" == "ky * 3")
        #expect("\(Index(3) + Index(4) * 2)" == "11")
        #expect("\((oy + 1) * 75 + ox + 1)" == "(oy + 1) * 75 + ox + 1")
        #expect("\(oy * 2 * 3)" == "oy * 6")
        #expect("\(oy - 2)" == "oy - 2")
        #expect("\(oy * 0 + Index(0))" == "0")
        #expect(Index(0).offsetting("w") == "w")
        #expect(Index(-3).offsetting("p") == "p - 3")
        #expect((oy * 8 + 16).offsetting("y") == "y + oy * 8 + 16")
    }

    @Test func aLoopOfOneIterationIsItsBodyAtZero() {
        var out = SourceWriter()
        out.loop("oy", count: 1) { out, oy in out.line("let row = \(oy * 28 + Index("ox"))") }
        out.loop("g", count: 2) { out, g in out.line("s += \(g * 16)") }
        out.loop("never", count: 0) { out, _ in out.line("unreachable") }
        out.loops([("ky", 3), ("kx", 1)]) { out, tap in out.line("tap(\(tap[0] * 3 + tap[1]))") }
        out.loops([("a", 1), ("b", 1)]) { out, index in out.line("one(\(index[0] + index[1]))") }
        #expect(out.text == """
            do {
                let row = ox
            }
            for g in 0..<2 {
                s += g * 16
            }
            for ky in 0..<3 {
                tap(ky * 3)
            }
            do {
                one(0)
            }

            """)
        #expect(Index.loopLine("lane", count: 1) { "y[\($0 + 8)] = v[\($0)]" } == "y[8] = v[0]")
        #expect(Index.loopLine("lane", count: 3) { "y[\($0 + 8)] = v[\($0)]" } == "for lane in 0..<3 { y[lane + 8] = v[lane] }")
    }

    /// A model of the common layers, inference and training: none of the trivial forms is left.
    @Test func generatedCodeHasNoTrivialArithmetic() throws {
        let program = try PlanSnippetTests.program("""
            input_shape: [12, 12, 1]
            layers:
              - Conv2D: {filters: 6, kernel_size: 3, activation: relu}
              - MaxPooling2D: {pool_size: 2}
              - Conv2D: {filters: 20, kernel_size: 1, padding: same}
              - AveragePooling2D: {pool_size: 5}
              - Flatten
              - Dense: {units: 1, activation: sigmoid}
            """)
        let swift = ModelGenerator.render(program)
        for pattern in [#"for \w+ in 0\.\.<1 \{"#, #"\w \* 1\b(?!\.)"#, #"\+ 0\b(?!\.)"#, #"if g < 0 "#] {
            let regex = try NSRegularExpression(pattern: pattern)
            let matches = regex.matches(in: swift, range: NSRange(swift.startIndex..., in: swift))
            let lines = matches.prefix(3).compactMap { Range($0.range, in: swift).map { swift.lineRange(for: $0) } }.map { swift[$0] }
            #expect(matches.isEmpty, "\(matches.count) of /\(pattern)/, such as:\n\(lines.joined())")
        }
    }
}
