import CNNCRuntime
import CNNCTraining
import Foundation

/// The timing loop behind `cnnc bench` (`ModelJob.bench`): it runs in
/// the model's own release executable, so what is timed is exactly the code
/// `cnnc predict` runs. It warms up, then times whole batches through
/// a `BatchPredictor` for the requested seconds, and
/// prints a table and a JSON line (`BenchmarkReport`).
public enum BenchmarkRunner {
    /// At least this many timed batches, so p10 and p90 mean something even
    /// when one batch takes longer than the time asked for.
    static let minimumSamples = 5

    public static func run<Model: CompiledModel>(_ type: Model.Type, options: BenchmarkOptions) throws(RuntimeError) -> BenchmarkReport {
        let model = try options.weights.map { path throws(RuntimeError) in try Model(contentsOf: path) } ?? Model(seed: options.seed)
        let batch = options.batchSize
        let (inputCount, outputCount) = try bufferSizes(Model.self, batch: batch)
        // Inputs are seeded uniform [0, 1), like a normalized image, and never
        // denormal (denormals would slow some kernels and not others).
        var generator = SplitMix64(seed: options.seed &+ 1)
        let input = (0..<inputCount).map { _ in Float(generator.nextUnit()) }
        var output = [Float](repeating: 0, count: outputCount)
        // Scratch memory is kept between batches, as a serving loop keeps it.
        let predictor = BatchPredictor(model: model, threads: options.threads)
        let (samples, warmUp) = try input.withUnsafeBufferPointer { source throws(RuntimeError) in
            try output.withUnsafeMutableBufferPointer { target throws(RuntimeError) in
                try time(seconds: options.seconds) { () throws(RuntimeError) in
                    try predictor.predict(batch: source, count: batch, into: target)
                }
            }
        }
        let statistics = BenchmarkStatistics(samples: samples, batchSize: batch, flopsPerSample: Model.flops)
        return BenchmarkReport(name: options.name ?? String(describing: Model.self), options: options,
                               statistics: statistics, warmUpSeconds: warmUp)
    }

    /// Training steps (`Trainer.trainOnBatch`: forward in training mode, the
    /// backward pass averaged over the batch, a plain SGD update and the
    /// repacking of weights) on a seeded random batch with random labels.
    /// FLOPs count a step as 3 forward passes (the backward pass computes two
    /// products per forward one: dL/dweights and dL/dinputs), the usual convention.
    public static func runTraining<Model: TrainableModel>(_ type: Model.Type, options: BenchmarkOptions) throws(RuntimeError) -> BenchmarkReport {
        let model = try options.weights.map { path throws(RuntimeError) in try Model(contentsOf: path) } ?? Model(seed: options.seed)
        let batch = options.batchSize
        let (inputCount, _) = try bufferSizes(Model.self, batch: batch)
        var generator = SplitMix64(seed: options.seed &+ 1)
        let classCount = Model.outputCount == 1 ? 2 : Model.outputCount
        let pixels = (0..<inputCount).map { _ in Float(generator.nextUnit()) }
        let labels = (0..<batch).map { _ in Int32(generator.nextInt(below: classCount)) }
        let shape = Model.inputShape.count == 3 ? Model.inputShape : [1, 1, Model.inputCount]
        let data = try LabeledImages(height: shape[0], width: shape[1], channels: shape[2], pixels: pixels, labels: labels, classCount: classCount)
        let trainer = try Trainer(model: model, optimizer: try Self.benchmarkOptimizer(Model.parameterCount), loss: nil, classCount: classCount,
                                  batchSize: batch, threads: options.threads, seed: options.seed)
        let (samples, warmUp) = try time(seconds: options.seconds) { () throws(RuntimeError) in _ = try trainer.trainOnBatch(data) }
        let statistics = BenchmarkStatistics(samples: samples, batchSize: batch, flopsPerSample: 3 * Model.flops)
        return BenchmarkReport(name: options.name ?? String(describing: Model.self), options: options,
                               statistics: statistics, warmUpSeconds: warmUp)
    }

    /// SGD with a tiny step, so the weights barely move while being timed.
    static func benchmarkOptimizer(_ count: Int) throws(RuntimeError) -> any Optimizer {
        var configuration = OptimizerConfiguration(.sgd)
        configuration.learningRate = 1e-4
        return try configuration.makeOptimizer(parameterCount: count)
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
