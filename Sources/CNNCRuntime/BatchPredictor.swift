/// Runs batch after batch through one model, keeping each worker's scratch
/// arena between calls, as a serving loop or an evaluation does. (The model's
/// own `predict(batch:count:into:threads:)` makes one of these per call, and so
/// allocates and zeroes megabytes each time: 4% of a 150x150 model's batch-1 time.)
/// Use one from one thread at a time, like a `ModelArena`.
public final class BatchPredictor<Model: CompiledModel> {
    public let model: Model
    public let threads: Int
    /// One per worker, large enough for a block of samples when the model has a block path.
    private let arenas: [ModelArena]

    public init(model: Model, threads: Int = 1) {
        self.model = model
        self.threads = max(1, threads)
        let count = Model.blockSamples > 0 ? Model.blockArenaCount : Model.arenaCount
        arenas = (0..<self.threads).map { _ in ModelArena(count: count) }
    }

    /// `count` samples back to back in `input`; outputs back to back in `output`.
    /// Each worker runs its samples in blocks of `blockSamples` where it can, the rest one by one.
    public func predict(batch input: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws(RuntimeError) {
        guard input.count >= count * Model.inputCount, output.count >= count * Model.outputCount else {
            throw RuntimeError("a batch of \(count) needs \(count * Model.inputCount) input and \(count * Model.outputCount) output values; got \(input.count) and \(output.count)")
        }
        guard count > 0, let source = input.baseAddress, let target = output.baseAddress else { return }
        let model = model, block = Model.blockSamples
        let inputCount = Model.inputCount, outputCount = Model.outputCount
        let sourceAddress = UInt(bitPattern: source), targetAddress = UInt(bitPattern: target)
        let arenaAddresses = arenas.map { UInt(bitPattern: $0.pointer) }
        BatchSplitter.run(count: count, threads: threads) { worker, range in
            let arena = UnsafeMutablePointer<Float>(bitPattern: arenaAddresses[worker])!
            let source = UnsafePointer<Float>(bitPattern: sourceAddress)!
            let target = UnsafeMutablePointer<Float>(bitPattern: targetAddress)!
            let blocks = block > 0 ? range.count / block : 0
            for first in stride(from: range.lowerBound, to: range.lowerBound + blocks * block, by: max(block, 1)) {
                model.predict(block: source + first * inputCount, into: target + first * outputCount, arena: arena)
            }
            for sample in (range.lowerBound + blocks * block)..<range.upperBound {
                model.predict(source + sample * inputCount, into: target + sample * outputCount, arena: arena)
            }
        }
        withExtendedLifetime(arenas) {}
    }
}
