import CNNCRuntime

/// The batches of one training epoch, as Keras's `fit` makes them from arrays:
/// the samples in a fresh random order each epoch when shuffling (Keras's
/// default), cut into runs of `batchSize`; the last batch keeps whatever is
/// left (Keras does not drop it), so there are ceil(count / batchSize) batches.
///
///     for batch in EpochBatches(count: train.count, batchSize: 32, shuffle: true, seed: 1, epoch: epoch) {
///         let images = train.subset(Array(batch))   // then augment, forward, backward
///     }
///
/// The order of epoch e depends only on (seed, e), so a run can be resumed at
/// any epoch and gives the same batches. It cannot match numpy's shuffle.
public struct EpochBatches: Sequence, Sendable {
    /// Every sample index once, in this epoch's order.
    public let order: [Int]
    public let batchSize: Int

    public init(count: Int, batchSize: Int, shuffle: Bool, seed: UInt64, epoch: Int) {
        precondition(batchSize > 0, "a batch holds at least one sample")
        if shuffle {
            var generator = SplitMix64(seed: seed, stream: UInt64(truncatingIfNeeded: epoch))
            order = generator.shuffledIndices(count: count)
        } else {
            order = Array(0..<count)
        }
        self.batchSize = batchSize
    }

    /// ceil(count / batchSize): Keras's steps per epoch.
    public var batchCount: Int { (order.count + batchSize - 1) / batchSize }

    /// The sample indices of batch `number` (0-based).
    public func batch(_ number: Int) -> ArraySlice<Int> {
        let start = number * batchSize
        return order[start..<Swift.min(start + batchSize, order.count)]
    }

    public func makeIterator() -> AnyIterator<ArraySlice<Int>> {
        var number = 0
        return AnyIterator {
            guard number < batchCount else { return nil }
            defer { number += 1 }
            return batch(number)
        }
    }
}
