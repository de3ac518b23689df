import CNNCRuntime
import Foundation

/// The random draws the data pipeline makes, all from SplitMix64 so a seed
/// gives the same shuffles, folds, augmentations and built-in images on every
/// machine and every Swift version (the draws generated training code makes
/// are in CNNCRuntime's SplitMix64.swift). (The standard library's `shuffle(using:)`
/// and `random(in:using:)` do not promise a fixed algorithm, so they are not used.)
extension SplitMix64 {
    /// A uniform integer in 0..<bound without modulo bias (Lemire's multiply-and-reject).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let range = UInt64(bound)
        let threshold = (0 &- range) % range
        while true {
            let (high, low) = next().multipliedFullWidth(by: range)
            if low >= threshold { return Int(high) }
        }
    }

    /// A uniform Double in [low, high) (numpy's `uniform(low, high)`).
    public mutating func nextUniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// True with probability `probability`.
    public mutating func nextBool(probability: Double = 0.5) -> Bool {
        nextUnit() < probability
    }

    /// 0..<count in a uniformly random order (Fisher–Yates, from the last place down).
    public mutating func shuffledIndices(count: Int) -> [Int] {
        var indices = Array(0..<count)
        shuffle(&indices)
        return indices
    }

    /// Shuffles `values` in place (Fisher–Yates, from the last place down).
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for last in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(last, nextInt(below: last + 1))
        }
    }
}
