/// Runs batch after batch through one model, keeping each worker's scratch
/// arena and threads (a `WorkerPool`) between calls, as a serving loop or an
/// evaluation does. (The model's own `predict(batch:count:into:threads:)`
/// allocates and zeroes its arenas on every call, 4% of a 150x150 model's
/// batch-1 time, and wakes Dispatch's threads from sleep.)
/// Use one from one thread at a time, like a `ModelArena`.
public final class BatchPredictor<Model: CompiledModel> {
    public let model: Model
    public let threads: Int
    /// The first worker's arena; it also serves one sample split across every worker.
    private let firstArena: ModelArena
    /// The other workers' arenas, made by the first batch of more than one
    /// sample (a predictor that only ever sees single samples needs none).
    private var otherArenas: [ModelArena] = []
    private let pool: WorkerPool

    public init(model: Model, threads: Int = 1) {
        self.model = model
        self.threads = max(1, threads)
        let splitCount = Model.arenaCount + (self.threads - 1) * Model.workerScratchCount
        firstArena = ModelArena(count: max(Self.arenaCount, splitCount))
        pool = WorkerPool(workers: self.threads)
    }

    /// Floats of scratch one worker needs for a share of a batch.
    static var arenaCount: Int { Model.blockSamples > 0 ? Model.blockArenaCount : Model.arenaCount }

    /// `count` samples back to back in `input`; outputs back to back in `output`.
    public func predict(batch input: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws(RuntimeError) {
        guard let (source, target) = try Self.buffers(input, count: count, output) else { return }
        let model = model, workers = threads
        if count == 1 {
            // One sample: its larger layers are split across the cores instead.
            return model.predict(source, into: target, arena: firstArena.pointer, splittingAcross: pool)
        }
        if otherArenas.isEmpty && workers > 1 {
            otherArenas = (1..<workers).map { _ in ModelArena(count: Self.arenaCount) }
        }
        let arenas = [firstArena] + otherArenas
        let sourceAddress = UInt(bitPattern: source), targetAddress = UInt(bitPattern: target)
        let arenaAddresses = arenas.map { UInt(bitPattern: $0.pointer) }
        pool.run { worker in
            Self.run(model, samples: BatchSplitter.share(count, worker: worker, of: workers), from: UnsafePointer(bitPattern: sourceAddress)!,
                     into: UnsafeMutablePointer(bitPattern: targetAddress)!, arena: UnsafeMutablePointer(bitPattern: arenaAddresses[worker])!)
        }
        withExtendedLifetime(arenas) {}
    }

    /// The batch's first input and output value, after checking the sizes; nil for an empty batch.
    static func buffers(_ input: UnsafeBufferPointer<Float>, count: Int, _ output: UnsafeMutableBufferPointer<Float>)
        throws(RuntimeError) -> (UnsafePointer<Float>, UnsafeMutablePointer<Float>)? {
        guard input.count >= count * Model.inputCount, output.count >= count * Model.outputCount else {
            throw RuntimeError("a batch of \(count) needs \(count * Model.inputCount) input and \(count * Model.outputCount) output values; got \(input.count) and \(output.count)")
        }
        guard count > 0, let source = input.baseAddress, let target = output.baseAddress else { return nil }
        return (UnsafePointer(source), target)
    }

    /// One worker's share: blocks of `blockSamples` where it can, the rest one by one.
    static func run(_ model: Model, samples: Range<Int>, from source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
                    arena: UnsafeMutablePointer<Float>) {
        let block = Model.blockSamples, inputCount = Model.inputCount, outputCount = Model.outputCount
        let blocks = block > 0 ? samples.count / block : 0
        for first in stride(from: samples.lowerBound, to: samples.lowerBound + blocks * block, by: max(block, 1)) {
            model.predict(block: source + first * inputCount, into: target + first * outputCount, arena: arena)
        }
        for sample in (samples.lowerBound + blocks * block)..<samples.upperBound {
            model.predict(source + sample * inputCount, into: target + sample * outputCount, arena: arena)
        }
    }
}
