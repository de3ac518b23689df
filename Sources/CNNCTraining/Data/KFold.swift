import CNNCRuntime

/// K-fold cross-validation: the samples (shuffled first when a seed is given)
/// are cut into `folds` consecutive parts; fold k validates on part k and
/// trains on all the others, so every sample validates exactly once.
///
///     let folds = try KFold(count: images.count, folds: 5, shuffleSeed: 42)
///     for k in 0..<folds.folds { let split = folds.split(fold: k) ... }
///
/// Part sizes follow scikit-learn's KFold: the first count % folds parts hold
/// floor(count / folds) + 1 samples, the others floor(count / folds)
/// (10 samples in 3 folds: 4, 3, 3).
public struct KFold: Sendable, Equatable {
    public let folds: Int
    /// Every sample once, in the order the parts are cut from.
    public let order: [Int]

    public init(count: Int, folds: Int, shuffleSeed: UInt64?) throws(RuntimeError) {
        guard folds >= 2 else { throw RuntimeError("cross-validation needs at least 2 folds, not \(folds)") }
        guard folds <= count else {
            throw RuntimeError("\(count) samples cannot make \(folds) folds: each fold needs at least one sample")
        }
        var order = Array(0..<count)
        if let seed = shuffleSeed {
            var generator = SplitMix64(seed: seed, stream: 0x4B46_4F4C_44)  // "KFOLD"
            generator.shuffle(&order)
        }
        self.folds = folds
        self.order = order
    }

    /// The positions in `order` that part `fold` covers.
    public func range(ofFold fold: Int) -> Range<Int> {
        let small = order.count / folds, extra = order.count % folds
        let start = fold * small + min(fold, extra)
        return start..<(start + small + (fold < extra ? 1 : 0))
    }

    /// Fold `fold` (0-based): its part validates, the rest trains (in `order`); no test part.
    public func split(fold: Int) -> DataSplit {
        precondition(fold >= 0 && fold < folds, "fold \(fold) is outside 0..<\(folds)")
        let part = range(ofFold: fold)
        return DataSplit(
            train: Array(order[..<part.lowerBound]) + Array(order[part.upperBound...]),
            validation: Array(order[part]),
            test: [])
    }
}
