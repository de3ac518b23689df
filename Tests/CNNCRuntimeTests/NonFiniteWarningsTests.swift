@testable import CNNCRunner
import Testing

/// NaN and infinite inputs or outputs are named by sample, not discovered
/// later as `class 0 (nan)`.
@Suite struct NonFiniteWarningsTests {
    @Test func eachSampleWithANonFiniteValueIsNamedOnce() {
        let values: [Float] = [0, 1, 2, .nan, 4, 5, 6, .infinity, .nan]
        let lines = NonFiniteWarnings.lines(values, samples: 3) { "x.npy: sample \($0)" }
        #expect(lines == ["warning: x.npy: sample 1 holds nan at value 0 of 3", "warning: x.npy: sample 2 holds inf at value 1 of 3"])
        #expect(NonFiniteWarnings.lines([1, 2, 3, 4], samples: 2) { "\($0)" }.isEmpty)
    }

    @Test func manySamplesAreCountedAfterTheFirstFew() {
        let values = [Float](repeating: .nan, count: 8)
        let lines = NonFiniteWarnings.lines(values, samples: 8) { "sample \($0)" }
        #expect(lines.count == NonFiniteWarnings.shown + 1)
        #expect(lines.last == "warning: … and 3 more samples")
    }
}
