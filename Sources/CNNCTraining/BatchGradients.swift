import CNNCRuntime

/// The mean gradient of a batch, spread over threads.
///
/// The batch is cut into one contiguous run of samples per worker, each with
/// its own gradient buffer; the buffers are then added in worker order. So a
/// run gives the same bits every time for the same thread count
/// (floating-point addition depends on the order, so another thread count may
/// differ in the last bits). Buffers are kept between batches: no allocation
/// per step.
///
/// A model with BatchNormalization trains in phases (see `TrainableModel`):
/// between two phases the workers' per-channel sums are added, again in
/// worker order, and turned into the batch's statistics. Each sample then
/// keeps its own arena for the whole step; without phases one arena per
/// worker serves all its samples.
final class BatchGradients<Model: TrainableModel> {
    let threads: Int
    /// The statistics of the last batch (`Model.batchStatisticsCount` floats).
    var statistics: [Float] { Array(UnsafeBufferPointer(start: statisticsBuffer, count: Model.batchStatisticsCount)) }
    /// The batch statistics, then the step weights (`TrainableModel.deriveStepWeights`).
    private let statisticsBuffer: UnsafeMutablePointer<Float>
    private let workerGradients: [UnsafeMutablePointer<Float>]
    private let workerSums: [UnsafeMutablePointer<Double>]
    private let arenas: [ModelArena]
    private let arenaPerSample: Bool
    /// Kept for every phase of every step: waking sleeping threads cost ~45 µs a phase.
    private let pool: WorkerPool

    init(threads: Int, batchSize: Int) {
        // No more workers than samples: a batch never has work for more.
        self.threads = max(1, min(threads, batchSize))
        arenaPerSample = Model.trainingPhaseCount > 1
        statisticsBuffer = Self.zeroed(Float.self, Model.batchStatisticsCount + Model.stepWeightCount)
        workerGradients = (0..<self.threads).map { _ in Self.zeroed(Float.self, Model.parameterCount + Model.stepGradientCount) }
        workerSums = (0..<self.threads).map { _ in Self.zeroed(Double.self, Model.batchSumCount) }
        arenas = (0..<(arenaPerSample ? max(1, batchSize) : self.threads)).map { _ in ModelArena(count: Model.trainingArenaCount) }
        pool = WorkerPool(workers: self.threads)
    }

    deinit {
        workerGradients.forEach { $0.deallocate() }
        workerSums.forEach { $0.deallocate() }
        statisticsBuffer.deallocate()
    }

    /// Moves BatchNormalization's moving averages toward the last batch's statistics.
    func updateMovingStatistics(parameters: UnsafeMutablePointer<Float>) {
        Model.updateMovingStatistics(statisticsBuffer, parameters: parameters)
    }

    /// Zeros on a cache line: the kernels write gradients in vectors (`CacheLine`).
    private static func zeroed<T: Numeric>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        let buffer = CacheLine.allocate(T.self, count: count)
        buffer.initialize(repeating: 0, count: Swift.max(count, 1))
        return buffer
    }

    /// Writes the batch's mean dL/dparameters to `gradients`, each sample's
    /// output to `outputs` and its loss to `losses`, and, when given, dL/dinput
    /// of each sample's own loss to `inputGradients`. Sample `i` drops out
    /// with `dropoutSeeds[i]`, so masks do not depend on how the batch is cut.
    func compute(model: Model, inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
                 loss: ModelLoss, dropoutSeeds: [UInt64],
                 gradients: UnsafeMutablePointer<Float>, inputGradients: UnsafeMutablePointer<Float>? = nil,
                 outputs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>) {
        let workers = Swift.min(threads, count)
        let parameterCount = Model.parameterCount, sumCount = Model.batchSumCount, stepCount = Model.stepGradientCount
        guard workers > 0 else { return }
        precondition(!arenaPerSample || count <= arenas.count, "a batch larger than the batch size it was made for")
        for worker in 0..<workers { workerGradients[worker].update(repeating: 0, count: parameterCount + stepCount) }
        // The step weights, each worker deriving its part of them.
        if Model.stepWeightCount > 0 {
            let stepWeightsAddress = UInt(bitPattern: statisticsBuffer + Model.batchStatisticsCount), threads = self.threads
            pool.run { worker in
                model.deriveStepWeights(into: UnsafeMutablePointer<Float>(bitPattern: stepWeightsAddress)!, part: worker, of: threads)
            }
        }
        // Addresses cross into the workers as integers: each worker writes only its own
        // samples' outputs, losses, input gradients and arenas, and its own buffers.
        let addresses = (inputs: UInt(bitPattern: inputs), targets: UInt(bitPattern: targets),
                         outputs: UInt(bitPattern: outputs), losses: UInt(bitPattern: losses),
                         inputGradients: UInt(bitPattern: inputGradients))
        let gradientAddresses = workerGradients.map { UInt(bitPattern: $0) }
        let sumAddresses = workerSums.map { UInt(bitPattern: $0) }
        let arenaAddresses = arenas.map { UInt(bitPattern: $0.pointer) }
        let perSample = arenaPerSample, lossPhase = Model.lossPhase
        let statisticsAddress = UInt(bitPattern: statisticsBuffer)
        for phase in 0..<Model.trainingPhaseCount {
            for worker in 0..<workers { workerSums[worker].update(repeating: 0, count: sumCount) }
            pool.run { worker in
                guard worker < workers else { return }
                let range = BatchSplitter.share(count, worker: worker, of: workers)
                let gradients = UnsafeMutablePointer<Float>(bitPattern: gradientAddresses[worker])!
                let sums = UnsafeMutablePointer<Double>(bitPattern: sumAddresses[worker])!
                let statistics = UnsafePointer<Float>(bitPattern: statisticsAddress)!
                let inputs = UnsafePointer<Float>(bitPattern: addresses.inputs)!
                let targets = UnsafePointer<Float>(bitPattern: addresses.targets)!
                let outputs = UnsafeMutablePointer<Float>(bitPattern: addresses.outputs)!
                let losses = UnsafeMutablePointer<Float>(bitPattern: addresses.losses)!
                let inputGradients = UnsafeMutablePointer<Float>(bitPattern: addresses.inputGradients)
                for sample in range {
                    let arena = UnsafeMutablePointer<Float>(bitPattern: arenaAddresses[perSample ? sample : worker])!
                    let value = model.trainingPhase(
                        phase, input: inputs + sample * Model.inputCount, target: targets + sample * Model.outputCount, loss: loss,
                        gradients: gradients, inputGradient: inputGradients.map { $0 + sample * Model.inputCount },
                        output: outputs + sample * Model.outputCount, arena: arena,
                        statistics: statistics, sums: sums, dropoutSeed: dropoutSeeds[sample])
                    if phase == lossPhase { losses[sample] = value }
                }
            }
            guard phase + 1 < Model.trainingPhaseCount else { continue }
            let total = workerSums[0]
            for worker in 1..<workers {
                let buffer = workerSums[worker]
                for index in 0..<sumCount { total[index] += buffer[index] }
            }
            Model.finishBatchStatistics(afterPhase: phase, sums: total, samples: count, into: statisticsBuffer)
        }
        let scale = 1 / Float(count)
        let first = workerGradients[0]
        for index in 0..<parameterCount { gradients[index] = first[index] }
        for worker in 1..<workers {
            let buffer = workerGradients[worker]
            for index in 0..<parameterCount { gradients[index] += buffer[index] }
        }
        if stepCount > 0 {
            // The step gradients, summed in worker order too, then turned into dL/dkernel once.
            let steps = first + parameterCount
            for worker in 1..<workers {
                let buffer = workerGradients[worker] + parameterCount
                for index in 0..<stepCount { steps[index] += buffer[index] }
            }
            Model.foldStepGradients(steps, into: gradients)
        }
        for index in 0..<parameterCount { gradients[index] *= scale }
        // Keras's fit has no gradient for a frozen layer's weights.
        for range in Model.frozenParameterRanges { (gradients + range.lowerBound).update(repeating: 0, count: range.count) }
    }
}
