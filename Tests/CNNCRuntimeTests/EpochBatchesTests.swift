import CNNCRuntime
import CNNCTraining
import Testing

@Suite struct EpochBatchesTests {
    @Test func batchesKeepTheLastPartialBatchAsKerasDoes() {
        let batches = EpochBatches(count: 10, batchSize: 4, shuffle: false, seed: 0, epoch: 0)
        #expect(batches.batchCount == 3)
        #expect(batches.map(Array.init) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(EpochBatches(count: 8, batchSize: 4, shuffle: false, seed: 0, epoch: 0).batchCount == 2)
        #expect(EpochBatches(count: 0, batchSize: 4, shuffle: true, seed: 0, epoch: 0).batchCount == 0)
    }

    @Test func shufflingIsFixedBySeedAndEpochAndDiffersBetweenEpochs() {
        let first = EpochBatches(count: 50, batchSize: 16, shuffle: true, seed: 1, epoch: 0)
        let again = EpochBatches(count: 50, batchSize: 16, shuffle: true, seed: 1, epoch: 0)
        let next = EpochBatches(count: 50, batchSize: 16, shuffle: true, seed: 1, epoch: 1)
        #expect(first.order == again.order)
        #expect(first.order != next.order && first.order != Array(0..<50))
        #expect(first.order.sorted() == Array(0..<50) && next.order.sorted() == Array(0..<50))
        #expect(first.map(\.count) == [16, 16, 16, 2])
    }

    /// Pins SplitMix64's shuffle, so a change of algorithm (and of every seeded run) is noticed.
    @Test func theShuffleOfASeedIsPinned() {
        var generator = SplitMix64(seed: 2024, stream: 0)
        let order = generator.shuffledIndices(count: 10)
        #expect(order == Self.pinnedOrder, "got \(order)")
    }

    static let pinnedOrder = [0, 2, 1, 8, 6, 9, 7, 5, 3, 4]

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var generator = SplitMix64(seed: 5)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let value = generator.nextInt(below: 7)
            #expect((0..<7).contains(value))
            seen.insert(value)
        }
        #expect(seen.count == 7)
    }
}
