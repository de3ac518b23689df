import Foundation

/// `Model bench [options]`, the timing loop behind `cnnc bench`: it runs in
/// the model's own release executable, so what is timed is exactly the code
/// `cnnc predict` runs. It warms up, then times whole batches through
/// `predict(batch:count:into:threads:)` for the requested seconds, and
/// prints a table and a JSON line (`BenchmarkReport`).
public enum BenchmarkRunner {
    /// At least this many timed batches, so p10 and p90 mean something even
    /// when one batch takes longer than the time asked for.
    static let minimumSamples = 5

    public static func main<Model: CompiledModel>(_ type: Model.Type, arguments: [String]) -> Never {
        do throws(RuntimeError) {
            let options = try BenchmarkOptions(arguments: arguments.dropFirst(2))
            let report = try run(Model.self, options: options)
            print(report.text, terminator: "")
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            exit(1)
        }
    }

    public static func run<Model: CompiledModel>(_ type: Model.Type, options: BenchmarkOptions) throws(RuntimeError) -> BenchmarkReport {
        let model = try options.weights.map { path throws(RuntimeError) in try Model(contentsOf: path) } ?? Model(seed: options.seed)
        let batch = options.batchSize
        let (inputCount, outputCount) = try bufferSizes(Model.self, batch: batch)
        // Inputs are seeded uniform [0, 1), like a normalized image, and never
        // denormal (denormals would slow some kernels and not others).
        var generator = SplitMix64(seed: options.seed &+ 1)
        let input = (0..<inputCount).map { _ in Float(generator.nextUnit()) }
        var output = [Float](repeating: 0, count: outputCount)
        let (samples, warmUp) = try input.withUnsafeBufferPointer { source throws(RuntimeError) in
            try output.withUnsafeMutableBufferPointer { target throws(RuntimeError) in
                try time(seconds: options.seconds) { () throws(RuntimeError) in
                    try model.predict(batch: source, count: batch, into: target, threads: options.threads)
                }
            }
        }
        let statistics = BenchmarkStatistics(samples: samples, batchSize: batch, flopsPerSample: Model.flops)
        return BenchmarkReport(name: options.name ?? String(describing: Model.self), options: options,
                               statistics: statistics, warmUpSeconds: warmUp)
    }

    /// Floats of the batch's inputs and outputs, refused up front when they
    /// overflow or would not fit in half of this machine's memory.
    static func bufferSizes<Model: CompiledModel>(_ type: Model.Type, batch: Int) throws(RuntimeError) -> (Int, Int) {
        let input = Model.inputCount.multipliedReportingOverflow(by: batch)
        let output = Model.outputCount.multipliedReportingOverflow(by: batch)
        let bytes = Double(Model.inputCount + Model.outputCount) * Double(batch) * 4
        let available = Double(ProcessInfo.processInfo.physicalMemory) / 2
        guard !input.overflow, !output.overflow, bytes <= available else {
            throw RuntimeError("a batch of \(batch) needs \(String(format: "%.1f", bytes / 1e9)) GB for its inputs and outputs; this machine has \(String(format: "%.1f", available / 1e9)) GB to spare: use a smaller --batch-size")
        }
        return (input.partialValue, output.partialValue)
    }

    /// Runs `body` for a warm-up (a quarter of `seconds`, at most half a
    /// second, at least two runs: caches, page faults, thread start-up), then
    /// times it until `seconds` have passed and at least `minimumSamples` runs.
    /// Returns the seconds of each timed run and of the warm-up.
    static func time(seconds: Double, _ body: () throws(RuntimeError) -> Void) throws(RuntimeError) -> (samples: [Double], warmUp: Double) {
        let warmUpStart = now()
        var warmUpRuns = 0
        repeat {
            try body()
            warmUpRuns += 1
        } while warmUpRuns < 2 || now() - warmUpStart < min(seconds / 4, 0.5)
        let warmUp = now() - warmUpStart
        var samples: [Double] = []
        let start = now()
        repeat {
            let before = now()
            try body()
            samples.append(now() - before)
        } while samples.count < minimumSamples || now() - start < seconds
        return (samples, warmUp)
    }

    /// Monotonic seconds (never moves back when the wall clock is set).
    static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
