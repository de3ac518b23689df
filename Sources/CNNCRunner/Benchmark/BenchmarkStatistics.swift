import CNNCRuntime
import CNNCTraining

/// The timed batches of one benchmark and the figures derived from them.
public struct BenchmarkStatistics: Sendable {
    /// Seconds per batch, one entry per timed run, in the order they ran.
    public var samples: [Double]
    public var batchSize: Int
    /// FLOPs of one sample (the model's `flops`).
    public var flopsPerSample: Int

    public init(samples: [Double], batchSize: Int, flopsPerSample: Int) {
        self.samples = samples
        self.batchSize = batchSize
        self.flopsPerSample = flopsPerSample
    }

    public var median: Double { percentile(50) }

    /// The `p`th percentile of the batch times, interpolated linearly between
    /// neighbours as numpy's default does, so the peer benchmark's ORT figures
    /// are computed the same way.
    public func percentile(_ p: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        let position = p / 100 * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }

    /// A batch never takes zero time, but a clock can say so; divide by at least a nanosecond.
    private var medianForRates: Double { max(median, 1e-9) }

    public var imagesPerSecond: Double { Double(batchSize) / medianForRates }

    public var gigaflopsPerSecond: Double { Double(flopsPerSample) * imagesPerSecond / 1e9 }
}
