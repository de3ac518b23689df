import ArgumentParser
import CNNCBuild
import CNNCCore
import CNNCRunner
import Foundation

/// `cnnc bench SPEC [--batch-size N] [--threads N] [--seconds S] [--weights W] [--per-layer]`:
/// builds the model as `cnnc predict` does (release, cached) and times it in
/// its own executable (`BenchmarkRunner`), which prints a table and, last, a
/// JSON line for scripts.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a compiled spec (release, cached) over a batch of random inputs; the last line printed is JSON.")

    @Argument(help: ModelArgument.help)
    var spec: String

    @Option(help: "Samples per timed batch.")
    var batchSize: Int = 1

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Seconds of timed batches, after a short warm-up.")
    var seconds: Double = 2

    @Option(help: "What to time: inference (a forward pass) or training (a train_on_batch step: forward, backward, SGD update).")
    var mode: BenchmarkOptions.Mode = .inference

    @Flag(help: "Also time each layer of one sample's forward pass, with its share, GFLOP/s, and GB/s against this core's copy rate (before the usual report).")
    var perLayer = false

    @Option(help: "Weights: safetensors, or Keras's .keras, .weights.h5 or .h5 file; without it, a .keras model's own, else Keras's default initialization (seeded).")
    var weights: String?

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if !seconds.isFinite || seconds <= 0 { throw ValidationError("--seconds must be a positive number") }
    }

    func run() async throws {
        let model = try Diagnostics.loadCompilableOrExit(spec)
        let prepared = try ModelWeights.prepareOrExit(weights, spec: spec, for: model)
        defer { prepared?.remove() }
        let built = try await CompiledModels.build(model, spec: spec, for: mode == .training ? .training : .inference)
        var options = BenchmarkOptions()
        options.batchSize = batchSize
        options.threads = threadsOption.threads
        options.seconds = seconds
        options.weights = prepared?.path
        options.name = model.name
        options.mode = mode
        options.perLayer = perLayer
        options.layerFLOPs = model.layers.map(\.flops)
        options.layerBytes = model.layers.indices.map(model.trafficBytes(ofLayer:))
        options.kernels = try TargetChoice.resolve().rawValue
        try await CompiledModels.run(built.executable, job: .bench(options))
    }
}

extension BenchmarkOptions.Mode: ExpressibleByArgument {}
