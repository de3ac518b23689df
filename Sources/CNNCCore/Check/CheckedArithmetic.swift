/// Integer arithmetic that reports overflow instead of trapping, so that a
/// spec with absurd sizes gets a message, never a crash.
enum CheckedArithmetic {
    /// The largest element count, parameter count or FLOP count a layer may
    /// have (2^53): far beyond any real model, and small enough that totals
    /// over many layers and byte counts (x4) cannot overflow either.
    static let limit = 1 << 53

    static func product(_ factors: Int...) -> Int? { product(factors) }

    static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow, value <= limit else { return nil }
            result = value
        }
        return result
    }

    static func sum(_ terms: Int...) -> Int? { sum(terms) }

    static func sum(_ terms: [Int]) -> Int? {
        var result = 0
        for term in terms {
            let (value, overflow) = result.addingReportingOverflow(term)
            guard !overflow, value <= limit else { return nil }
            result = value
        }
        return result
    }
}
