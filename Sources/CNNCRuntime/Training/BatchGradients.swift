/// The mean gradient of a batch, spread over threads.
///
/// The batch is cut into one contiguous run of samples per worker, each with
/// its own gradient buffer and arena; the buffers are then added in worker
/// order. So a run gives the same bits every time for the same thread count
/// (floating-point addition depends on the order, so another thread count may
/// differ in the last bits). Buffers are kept between batches: no allocation
/// per step.
final class BatchGradients<Model: TrainableModel> {
    let threads: Int
    private let workerGradients: [UnsafeMutablePointer<Float>]
    private let arenas: [ModelArena]

    init(threads: Int) {
        self.threads = max(1, threads)
        workerGradients = (0..<self.threads).map { _ in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(Model.parameterCount, 1))
            buffer.initialize(repeating: 0, count: Swift.max(Model.parameterCount, 1))
            return buffer
        }
        arenas = (0..<self.threads).map { _ in ModelArena(count: Model.trainingArenaCount) }
    }

    deinit { workerGradients.forEach { $0.deallocate() } }

    /// Writes the batch's mean dL/dparameters to `gradients`, each sample's
    /// output to `outputs` and its loss to `losses`. Sample `i` drops out with
    /// `dropoutSeeds[i]`, so masks do not depend on how the batch is cut.
    func compute(model: Model, inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
                 loss: LossFunction, dropoutSeeds: [UInt64],
                 gradients: UnsafeMutablePointer<Float>, outputs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>) {
        let workers = Swift.min(threads, count)
        let parameterCount = Model.parameterCount
        guard workers > 0 else { return }
        // Addresses cross into the workers as integers: each worker writes only its own
        // samples' outputs and losses and its own gradient buffer and arena.
        let addresses = (inputs: UInt(bitPattern: inputs), targets: UInt(bitPattern: targets),
                         outputs: UInt(bitPattern: outputs), losses: UInt(bitPattern: losses))
        let bufferAddresses = workerGradients.map { UInt(bitPattern: $0) }
        let arenaAddresses = arenas.map { UInt(bitPattern: $0.pointer) }
        BatchSplitter.run(count: count, threads: workers) { worker, range in
            let sum = UnsafeMutablePointer<Float>(bitPattern: bufferAddresses[worker])!
            let arena = UnsafeMutablePointer<Float>(bitPattern: arenaAddresses[worker])!
            let inputs = UnsafePointer<Float>(bitPattern: addresses.inputs)!
            let targets = UnsafePointer<Float>(bitPattern: addresses.targets)!
            let outputs = UnsafeMutablePointer<Float>(bitPattern: addresses.outputs)!
            let losses = UnsafeMutablePointer<Float>(bitPattern: addresses.losses)!
            sum.update(repeating: 0, count: parameterCount)
            for sample in range {
                losses[sample] = model.accumulateGradients(
                    inputs + sample * Model.inputCount, target: targets + sample * Model.outputCount, loss: loss,
                    gradients: sum, inputGradient: nil, output: outputs + sample * Model.outputCount,
                    arena: arena, dropoutSeed: dropoutSeeds[sample])
            }
        }
        let scale = 1 / Float(count)
        let first = workerGradients[0]
        for index in 0..<parameterCount { gradients[index] = first[index] }
        for worker in 1..<workers {
            let buffer = workerGradients[worker]
            for index in 0..<parameterCount { gradients[index] += buffer[index] }
        }
        for index in 0..<parameterCount { gradients[index] *= scale }
    }
}
