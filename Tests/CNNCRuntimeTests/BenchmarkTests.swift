import CNNCRunner
import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// The timing loop behind `cnnc bench`, run in-process on the hand-written
/// `Doubler` (figures are checked for consistency, never against a time limit).
@Suite struct BenchmarkTests {
    /// numpy.percentile's default (linear) on the same samples: 2.5, 1.3, 3.7.
    @Test func percentilesInterpolateAsNumpyDoes() {
        let statistics = BenchmarkStatistics(samples: [4, 1, 3, 2], batchSize: 8, flopsPerSample: 1_000_000_000)
        #expect(statistics.median == 2.5)
        #expect(abs(statistics.percentile(10) - 1.3) < 1e-12)
        #expect(abs(statistics.percentile(90) - 3.7) < 1e-12)
        #expect(statistics.imagesPerSecond == 8 / 2.5)
        #expect(abs(statistics.gigaflopsPerSecond - 3.2) < 1e-12)
    }

    @Test func runTimesAtLeastFiveBatchesAndReportsJSON() throws {
        var options = BenchmarkOptions()
        options.batchSize = 7
        options.threads = 2
        options.seconds = 0.01
        options.name = "dou\"bler"
        let report = try BenchmarkRunner.run(Doubler.self, options: options)
        #expect(report.statistics.samples.count >= 5)
        #expect(report.statistics.samples.allSatisfy { $0 > 0 })
        let lines = report.text.split(separator: "\n")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        #expect(json["model"] as? String == "dou\"bler")
        #expect(json["batch"] as? Int == 7)
        #expect(json["threads"] as? Int == 2)
        #expect(json["mode"] as? String == "inference")
        #expect(json["flops_per_image"] as? Int == Doubler.flops)
        #expect(json["iterations"] as? Int == report.statistics.samples.count)
        #expect(lines.contains { $0.hasPrefix("median") })
    }

    /// cnnc checks the numbers and sends the options as JSON inside a job; they arrive unchanged.
    @Test func optionsTravelAsAJob() throws {
        var options = BenchmarkOptions()
        options.batchSize = 32
        options.threads = 2
        options.seconds = 0.5
        options.weights = "w.safetensors"
        options.name = "m"
        options.seed = 9
        options.mode = .training
        #expect(try ModelJob(decoding: ModelJob.bench(options).encoded()) == .bench(options))
        #expect(throws: RuntimeError.self) { try ModelJob(decoding: Data("{\"bench\": {\"frames\": 3}}".utf8)) }
    }
}
