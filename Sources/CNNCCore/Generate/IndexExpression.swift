/// An integer expression of generated code (an index, an offset, a count),
/// simplified as it is built, so the Swift a user reads says `oy + ky`, not
/// `oy * 1 + ky * 1`, and `w`, not `w + 0`. Only integer arithmetic is
/// rewritten, which is exact: the floating-point work of a kernel, and so its
/// bits, cannot change. Loop variables come from `SourceWriter.loop`, which
/// hands a single-iteration loop's body the constant 0 instead.
indirect enum Index: Hashable, CustomStringConvertible {
    /// A whole number.
    case constant(Int)
    /// A name in scope in the generated code: a loop variable, a `let`.
    case name(String)
    /// Two or more terms, none of them a zero; the constant, if any, last.
    case sum([Index])
    /// A term times a whole number other than 0 and 1.
    case scaled(Index, Int)

    init(_ value: Int) { self = .constant(value) }
    init(_ name: String) { self = .name(name) }

    /// Its value when it holds no name.
    var constantValue: Int? {
        if case .constant(let value) = self { return value }
        return nil
    }

    var isZero: Bool { constantValue == 0 }

    static func + (left: Index, right: Index) -> Index {
        var terms: [Index] = [], constant = 0
        for part in [left, right] {
            switch part {
            case .constant(let value): constant += value
            case .sum(let parts):
                for inner in parts {
                    if case .constant(let value) = inner { constant += value } else { terms.append(inner) }
                }
            default: terms.append(part)
            }
        }
        if constant != 0 { terms.append(.constant(constant)) }
        switch terms.count {
        case 0: return .constant(0)
        case 1: return terms[0]
        default: return .sum(terms)
        }
    }

    static func + (left: Index, right: Int) -> Index { left + .constant(right) }
    static func + (left: Int, right: Index) -> Index { .constant(left) + right }
    static func - (left: Index, right: Int) -> Index { left + .constant(-right) }

    static func * (left: Index, factor: Int) -> Index {
        switch (left, factor) {
        case (_, 0): return .constant(0)
        case (_, 1): return left
        case (.constant(let value), _): return .constant(value * factor)
        case (.scaled(let inner, let coefficient), _): return .scaled(inner, coefficient * factor)
        default: return .scaled(left, factor)
        }
    }

    static func * (factor: Int, right: Index) -> Index { right * factor }

    var description: String {
        switch self {
        case .constant(let value): return "\(value)"
        case .name(let name): return name
        case .scaled(let inner, let factor):
            let base = if case .sum = inner { "(\(inner))" } else { "\(inner)" }
            return "\(base) * \(factor)"
        case .sum(let parts):
            var text = ""
            for (position, part) in parts.enumerated() {
                if position > 0, case .constant(let value) = part, value < 0 {
                    text += " - \(-value)"
                } else {
                    text += position == 0 ? "\(part)" : " + \(part)"
                }
            }
            return text
        }
    }

    /// `base` moved by this many elements: `base` itself for zero (a pointer or an array index).
    func offsetting(_ base: String) -> String {
        if isZero { return base }
        if case .constant(let value) = self, value < 0 { return "\(base) - \(-value)" }
        return "\(base) + \(self)"
    }
}

extension Index {
    /// A loop on one line, `for variable in 0..<count { statement }`, or for a
    /// single iteration the statement alone, written for variable 0 (in a `do`
    /// when it declares a name, which then stays as local as the loop's was).
    static func loopLine(_ variable: String, count: Int, _ statement: (Index) -> String) -> String {
        guard count == 1 else { return "for \(variable) in 0..<\(count) { \(statement(Index(variable))) }" }
        let once = statement(Index(0))
        return once.hasPrefix("let ") || once.hasPrefix("var ") ? "do { \(once) }" : once
    }
}

extension Index {
    /// ` + self` to append to an index, or nothing for zero: `w[60\(c.added)]`.
    var added: String { isZero ? "" : " + \(self)" }
}
