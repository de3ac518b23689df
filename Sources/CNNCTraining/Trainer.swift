import CNNCRuntime

/// Keras's `fit` for one compiled model: seeded shuffled batches, on-the-fly
/// augmentation, the generated backward pass averaged over the batch, and one
/// optimizer step per batch.
///
///     let trainer = try Trainer(model: Lenet5(seed: 1), optimizer: adam, loss: nil,
///                               classCount: 10, batchSize: 32, threads: 2, seed: 1)
///     for epoch in 0..<5 { let metrics = try trainer.trainEpoch(epoch, on: train) { _ in } }
///
/// Everything random (shuffle, augmentation, dropout) comes from `seed`, the
/// epoch and the sample, so a run repeats bit for bit for the same seed and
/// thread count, and resuming at epoch e gives the batches a full run would.
public final class Trainer<Model: TrainableModel> {
    /// The model as the last step left it.
    public var model: Model { get throws(RuntimeError) { try steps.model } }
    public var optimizer: any Optimizer { steps.optimizer }
    public let loss: LossFunction
    public let targets: ClassTargets
    public var batchSize: Int { steps.batchSize }
    public let seed: UInt64
    public let augmenter: ImageAugmenter?
    /// The steps themselves, on packed samples.
    private let steps: TensorTrainer<Model>

    /// `loss` nil takes the loss the output implies (cross-entropy after softmax or sigmoid).
    public init(model: Model, optimizer: any Optimizer, loss: LossFunction?, classCount: Int, batchSize: Int,
                threads: Int, seed: UInt64, augmenter: ImageAugmenter? = nil) throws(RuntimeError) {
        if let reason = Model.trainingUnsupportedReason { throw RuntimeError("\(Model.self) cannot be trained yet: \(reason)") }
        guard Model.inputLayout.count == 1, Model.outputLayout.count == 1 else {
            throw RuntimeError("\(Model.self) has \(Model.inputLayout.count) inputs and \(Model.outputLayout.count) outputs; labelled images train a model of one input and one output (train it on arrays named after its inputs and outputs)")
        }
        targets = try ClassTargets(classCount: classCount, outputShape: Model.outputShape)
        if let loss { self.loss = loss } else { self.loss = try targets.defaultLoss(outputActivation: Model.outputActivation) }
        self.seed = seed
        self.augmenter = augmenter
        steps = try TensorTrainer(model: model, optimizer: optimizer, loss: ModelLoss(self.loss), batchSize: batchSize, threads: threads)
    }

    /// The optimizer's slots and step count, to save with the weights.
    public var optimizerState: [String: [Float]] { steps.optimizerState }

    /// Continues from a saved optimizer state (same optimizer and model).
    public func restoreOptimizerState(_ state: [String: [Float]]) throws(RuntimeError) {
        try steps.restoreOptimizerState(state)
    }

    /// What the caller hears after every step.
    public struct Progress: Sendable {
        public let epoch: Int
        public let step: Int
        public let steps: Int
        public let metrics: TrainingMetrics
    }

    /// One pass over `data` (epochs count from 0). Returns the epoch's running
    /// loss and accuracy, measured as Keras's progress bar does: on each batch
    /// before its update, in training mode.
    public func trainEpoch(_ epoch: Int, on data: LabeledImages, progress: (Progress) -> Void) throws(RuntimeError) -> TrainingMetrics {
        try data.checkFits(Model.self)
        try targets.check(data)
        let batches = EpochBatches(count: data.count, batchSize: batchSize, shuffle: true, seed: seed, epoch: epoch)
        var metrics = TrainingMetrics()
        for step in 0..<batches.batchCount {
            let indices = Array(batches.batch(step))
            var batch = data.subset(indices)
            if let augmenter {
                var generator = SplitMix64(seed: seed ^ 0x4155_474D, stream: UInt64(epoch) << 32 | UInt64(step))  // "AUGM"
                batch = augmenter.augment(batch, using: &generator)
            }
            let dropoutSeeds = indices.map { index in
                var generator = SplitMix64(seed: seed ^ 0x4452_4F50, stream: UInt64(epoch) << 32 | UInt64(index))  // "DROP"
                return generator.next()
            }
            try runStep(batch, dropoutSeeds: dropoutSeeds, metrics: &metrics, epoch: epoch, step: step)
            progress(Progress(epoch: epoch, step: step + 1, steps: batches.batchCount, metrics: metrics))
        }
        return metrics
    }

    /// Keras's `train_on_batch`: one step on exactly these samples, no shuffle and
    /// no augmentation. Returns the batch's loss and accuracy before the update.
    public func trainOnBatch(_ batch: LabeledImages, dropoutSeed: UInt64 = 0) throws(RuntimeError) -> TrainingMetrics {
        try batch.checkFits(Model.self)
        try targets.check(batch)
        guard batch.count > 0, batch.count <= batchSize else {
            throw RuntimeError("a batch of \(batch.count) samples does not fit this trainer's batch size \(batchSize)")
        }
        var metrics = TrainingMetrics()
        let seeds = (0..<batch.count).map { dropoutSeed &+ UInt64($0) }
        try runStep(batch, dropoutSeeds: seeds, metrics: &metrics, epoch: 0, step: 0)
        return metrics
    }

    /// Forward and backward over one batch, then the optimizer's update.
    private func runStep(_ batch: LabeledImages, dropoutSeeds: [UInt64], metrics: inout TrainingMetrics, epoch: Int, step: Int) throws(RuntimeError) {
        let classTargets = targets
        _ = try steps.step(count: batch.count, dropoutSeeds: dropoutSeeds, epoch: epoch, step: step) { inputs, targetValues in
            inputs.update(from: batch.pixels, count: batch.pixels.count)
            if let rows = batch.targets {
                // Soft rows as the data gave them (`ClassTargets.check`: as wide as the output).
                targetValues.update(from: rows, count: rows.count)
            } else {
                for (sample, label) in batch.labels.enumerated() {
                    classTargets.writeTarget(label: label, into: targetValues + sample * Model.outputCount)
                }
            }
        }
        steps.outputs.withUnsafeBufferPointer { outputBuffer in
            for sample in 0..<batch.count {
                let predicted = classTargets.predictedClass(outputBuffer.baseAddress! + sample * Model.outputCount)
                metrics.add(loss: steps.losses[sample], correct: predicted == Int(batch.labels[sample]))
            }
        }
    }
}
