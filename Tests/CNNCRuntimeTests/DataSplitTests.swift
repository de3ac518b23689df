import CNNCRuntime
import CNNCTraining
import Testing

@Suite struct DataSplitTests {
    @Test func ratiosGiveExactCountsAndTrainingTakesTheRemainder() throws {
        let split = try DataSplit(ratios: SplitRatios(parsing: "70:20:10"), count: 1000, shuffleSeed: nil)
        #expect(split.train == Array(0..<700) && split.validation == Array(700..<900) && split.test == Array(900..<1000))
        let odd = try DataSplit(ratios: SplitRatios(parsing: "70:20:10"), count: 1005, shuffleSeed: nil)
        #expect([odd.train.count, odd.validation.count, odd.test.count] == [704, 201, 100])
        let eighty = try DataSplit(ratios: SplitRatios(parsing: "80:10:10"), count: 15, shuffleSeed: 3)
        #expect([eighty.train.count, eighty.validation.count, eighty.test.count] == [13, 1, 1])
        let twoWay = try DataSplit(ratios: SplitRatios(parsing: "3:1"), count: 10, shuffleSeed: nil)
        #expect([twoWay.train.count, twoWay.validation.count, twoWay.test.count] == [8, 2, 0])
    }

    @Test func aSeededSplitIsAPermutationAndRepeatsForItsSeed() throws {
        let ratios = try SplitRatios(train: 70, validation: 20, test: 10)
        let first = try DataSplit(ratios: ratios, count: 100, shuffleSeed: 7)
        #expect(try DataSplit(ratios: ratios, count: 100, shuffleSeed: 7) == first)
        #expect(try DataSplit(ratios: ratios, count: 100, shuffleSeed: 8) != first)
        #expect((first.train + first.validation + first.test).sorted() == Array(0..<100))
        #expect(first.train != Array(0..<70))
    }

    @Test func badRatiosAndTooFewSamplesAreErrors() throws {
        #expect(throws: RuntimeError.self) { try SplitRatios(parsing: "70-20-10") }
        #expect(throws: RuntimeError.self) { try SplitRatios(parsing: "0:50:50") }
        #expect(throws: RuntimeError.self) { try SplitRatios(parsing: "70:20:10:5") }
        #expect(throws: RuntimeError.self) { try DataSplit(ratios: SplitRatios(parsing: "80:10:10"), count: 5, shuffleSeed: nil) }
    }

    /// Keras: split_at = floor(n · (1 − v)); the last samples validate, before shuffling.
    @Test func kerasValidationSplitTakesTheLastSamples() throws {
        let split = try DataSplit(kerasValidationSplit: 0.2, count: 10)
        #expect(split.train == Array(0..<8) && split.validation == [8, 9] && split.test.isEmpty)
        // 0.1 is not exact in binary: floor(60000 · 0.9) is 54000, floor(7 · 0.7) = floor(4.8999…) = 4.
        #expect(try DataSplit(kerasValidationSplit: 0.1, count: 60000).train.count == 54000)
        #expect(try DataSplit(kerasValidationSplit: 0.3, count: 7).train.count == 4)
        // A fraction so small that 1 − fraction rounds to 1 leaves validation empty.
        #expect(throws: RuntimeError.self) { try DataSplit(kerasValidationSplit: 1e-17, count: 10) }
        #expect(throws: RuntimeError.self) { try DataSplit(kerasValidationSplit: 1.0, count: 10) }
    }

    @Test func kFoldPartsFollowScikitLearnAndCoverEverySampleOnce() throws {
        let folds = try KFold(count: 10, folds: 3, shuffleSeed: nil)
        #expect((0..<3).map { folds.split(fold: $0).validation } == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]])
        #expect(folds.split(fold: 1).train == [0, 1, 2, 3, 7, 8, 9])
        let shuffled = try KFold(count: 23, folds: 5, shuffleSeed: 42)
        #expect((0..<5).map { shuffled.split(fold: $0).validation.count } == [5, 5, 5, 4, 4])
        #expect((0..<5).flatMap { shuffled.split(fold: $0).validation }.sorted() == Array(0..<23))
        for fold in 0..<5 {
            let split = shuffled.split(fold: fold)
            #expect(Set(split.train).isDisjoint(with: split.validation) && split.train.count + split.validation.count == 23)
        }
        #expect(try KFold(count: 23, folds: 5, shuffleSeed: 42) == shuffled)
        #expect(throws: RuntimeError.self) { try KFold(count: 3, folds: 4, shuffleSeed: nil) }
        #expect(throws: RuntimeError.self) { try KFold(count: 10, folds: 1, shuffleSeed: nil) }
    }
}
