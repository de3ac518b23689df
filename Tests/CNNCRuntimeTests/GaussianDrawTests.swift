import CNNCRuntime
import CNNCTraining
import Testing

/// The normal draws behind training-mode GaussianNoise and GaussianDropout:
/// the generated code and the reference network share them, so the gradient
/// checks cannot see a wrong distribution; this does.
@Suite struct GaussianDrawTests {
    @Test func drawsAreStandardNormal() {
        var generator = SplitMix64(seed: 7, stream: 3)
        let draws = (0..<200_000).map { _ in generator.nextGaussian() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        // Standard errors at 200,000 draws: 0.0022 for the mean, 0.0032 for the variance.
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.015, "mean \(mean), variance \(variance)")
        let withinOne = Double(draws.filter { abs($0) < 1 }.count) / Double(draws.count)
        let withinTwo = Double(draws.filter { abs($0) < 2 }.count) / Double(draws.count)
        #expect(abs(withinOne - 0.682_69) < 0.005 && abs(withinTwo - 0.954_50) < 0.003, "\(withinOne), \(withinTwo)")
        #expect(draws.allSatisfy { $0.isFinite })
    }
}
