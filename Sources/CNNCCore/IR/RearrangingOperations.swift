/// Permute's `dims` as Keras writes them: the input axis (counted from 1,
/// after the batch axis) that each output axis takes, a permutation of
/// 1…rank. Output axis i has the size of input axis dims[i] − 1.
public struct PermuteConfig: Hashable, Sendable, Codable {
    public var dims: [Int]

    /// The same order counted from 0: output axis i reads input axis `order[i]`.
    public var order: [Int] { dims.map { $0 - 1 } }

    /// The order that undoes this one (dL/dx from dL/dy): input axis j is
    /// output axis `inverse[j]`.
    public var inverseOrder: [Int] {
        var inverse = [Int](repeating: 0, count: dims.count)
        for (output, input) in order.enumerated() { inverse[input] = output }
        return inverse
    }
}

/// RepeatVector's `n`: the copies of the input vector, one per output step.
public struct RepeatVectorConfig: Hashable, Sendable, Codable {
    public var n: Int
}
