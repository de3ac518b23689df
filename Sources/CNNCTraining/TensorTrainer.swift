import CNNCRuntime

/// Keras's `train_on_batch` on arrays, for a model of any inputs and outputs:
/// samples packed as the model's `inputLayout` and targets as its
/// `outputLayout`, a loss function per output, the generated backward pass
/// averaged over the batch, and one optimizer step.
///
///     let trainer = try TensorTrainer(model: TwoHeads(seed: 1), optimizer: adam,
///                                     loss: ModelLoss(functions: [.categoricalCrossEntropy, .meanSquaredError]),
///                                     batchSize: 8, threads: 2)
///     let result = try trainer.trainOnBatch(inputs: x, targets: y)
///
/// `Trainer`, Keras's `fit` for a classifier on labelled images, runs its
/// steps through one of these.
public final class TensorTrainer<Model: TrainableModel> {
    /// The model as the last step left it, packed for inference: packed when
    /// first read after a step, since the steps run `stepModel`, which leaves
    /// out what only inference reads (ResNet-20's F(4x4) Winograd weights
    /// were 1.2% of its training step, repacked after every update).
    public var model: Model {
        get throws(RuntimeError) {
            if let inferenceModel { return inferenceModel }
            let packed = try Model(parameters: parameters)
            inferenceModel = packed
            return packed
        }
    }
    /// The model the steps run (`TrainableModel.init(trainingParameters:)`).
    private var stepModel: Model
    /// `model` since the last step, once read.
    private var inferenceModel: Model?
    public private(set) var optimizer: any Optimizer
    public let loss: ModelLoss
    public let batchSize: Int

    /// One step's outcome: the mean loss (the weighted sum over outputs, with
    /// any activity penalty) and each output's own, both before the update.
    public struct StepResult: Sendable, Equatable {
        public let count: Int
        /// Mean over the batch of the total loss, as Keras's `train_on_batch` returns it.
        public let loss: Double
        /// Mean over the batch of each output's loss, unweighted (Keras's `<output>_loss`).
        public let outputLosses: [Double]
    }

    private var parameters: [Float]
    private var gradients: [Float]
    /// The batch being stepped: its packed inputs and targets, then its outputs and losses.
    private(set) var inputs: [Float]
    private(set) var targets: [Float]
    private(set) var outputs: [Float]
    private(set) var losses: [Float]
    private let batchGradients: BatchGradients<Model>

    public init(model: Model, optimizer: any Optimizer, loss: ModelLoss, batchSize: Int, threads: Int) throws(RuntimeError) {
        if let reason = Model.trainingUnsupportedReason { throw RuntimeError("\(Model.self) cannot be trained yet: \(reason)") }
        guard batchSize > 0 else { throw RuntimeError("the batch size must be at least 1, not \(batchSize)") }
        guard threads > 0 else { throw RuntimeError("the thread count must be at least 1, not \(threads)") }
        let outputs = Model.outputLayout
        guard loss.functions.count == outputs.count else {
            throw RuntimeError("\(loss.functions.count) loss function\(loss.functions.count == 1 ? "" : "s") for \(outputs.count) output\(outputs.count == 1 ? "" : "s") (\(outputs.map(\.name).joined(separator: ", "))); give one per output")
        }
        stepModel = model
        inferenceModel = model
        self.optimizer = optimizer
        self.loss = loss
        self.batchSize = batchSize
        parameters = model.parameters
        gradients = [Float](repeating: 0, count: Model.parameterCount)
        inputs = [Float](repeating: 0, count: batchSize * Model.inputCount)
        targets = [Float](repeating: 0, count: batchSize * Model.outputCount)
        self.outputs = [Float](repeating: 0, count: batchSize * Model.outputCount)
        losses = [Float](repeating: 0, count: batchSize)
        batchGradients = BatchGradients(threads: threads, batchSize: batchSize)
    }

    /// The optimizer's slots and step count, to save with the weights.
    public var optimizerState: [String: [Float]] { optimizer.state }

    /// Continues from a saved optimizer state (same optimizer and model).
    public func restoreOptimizerState(_ state: [String: [Float]]) throws(RuntimeError) {
        try optimizer.restore(state)
    }

    /// One step on `inputs` and `targets`, `count` packed samples each (count
    /// at most the batch size); sample i drops out with `dropoutSeed + i`.
    public func trainOnBatch(inputs: [Float], targets: [Float], dropoutSeed: UInt64 = 0) throws(RuntimeError) -> StepResult {
        let count = Model.inputCount == 0 ? 0 : inputs.count / Model.inputCount
        guard count > 0, count <= batchSize, inputs.count == count * Model.inputCount, targets.count == count * Model.outputCount else {
            throw RuntimeError("a batch of at most \(batchSize) samples needs \(Model.inputCount) input values and \(Model.outputCount) target values per sample; got \(inputs.count) and \(targets.count)")
        }
        for (what, values) in [("input", inputs), ("target", targets)] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw RuntimeError("\(what) value \(bad) is \(values[bad]); training needs finite numbers")
            }
        }
        return try step(count: count, dropoutSeeds: (0..<count).map { dropoutSeed &+ UInt64($0) }, epoch: 0, step: 0) { inputBuffer, targetBuffer in
            inputBuffer.update(from: inputs, count: inputs.count)
            targetBuffer.update(from: targets, count: targets.count)
        }
    }

    /// Forward and backward over `count` samples that `fill` writes into the
    /// packed input and target buffers, then the optimizer's update. The
    /// samples' outputs and losses stay in `outputs` and `losses` until the next step.
    func step(count: Int, dropoutSeeds: [UInt64], epoch: Int, step: Int,
              fill: (_ inputs: UnsafeMutablePointer<Float>, _ targets: UnsafeMutablePointer<Float>) -> Void) throws(RuntimeError) -> StepResult {
        inputs.withUnsafeMutableBufferPointer { inputBuffer in
            targets.withUnsafeMutableBufferPointer { targetBuffer in fill(inputBuffer.baseAddress!, targetBuffer.baseAddress!) }
        }
        let model = stepModel, loss = self.loss
        inputs.withUnsafeBufferPointer { inputBuffer in
            targets.withUnsafeBufferPointer { targetBuffer in
                gradients.withUnsafeMutableBufferPointer { gradientBuffer in
                    outputs.withUnsafeMutableBufferPointer { outputBuffer in
                        losses.withUnsafeMutableBufferPointer { lossBuffer in
                            batchGradients.compute(
                                model: model, inputs: inputBuffer.baseAddress!, targets: targetBuffer.baseAddress!, count: count,
                                loss: loss, dropoutSeeds: dropoutSeeds, gradients: gradientBuffer.baseAddress!,
                                outputs: outputBuffer.baseAddress!, losses: lossBuffer.baseAddress!)
                        }
                    }
                }
            }
        }
        let result = measure(count: count)
        guard result.loss.isFinite else {
            throw RuntimeError("training diverged at epoch \(epoch + 1), step \(step + 1): the loss is \(result.loss); try a smaller learning rate")
        }
        try update()
        return result
    }

    /// The batch's mean loss, and each output's mean loss, read from the step's outputs.
    private func measure(count: Int) -> StepResult {
        var metrics = OutputMetrics(outputs: Model.outputLayout, loss: loss)
        outputs.withUnsafeBufferPointer { y in
            targets.withUnsafeBufferPointer { t in
                for sample in 0..<count {
                    let start = sample * Model.outputCount
                    metrics.add(y.baseAddress! + start, t.baseAddress! + start, total: losses[sample])
                }
            }
        }
        return StepResult(count: count, loss: metrics.meanLoss, outputLosses: metrics.meanOutputLosses)
    }

    /// The optimizer's step on the batch's mean gradient, with Keras's rules
    /// for frozen weights and BatchNormalization's moving statistics.
    private func update() throws(RuntimeError) {
        // Frozen weights have a gradient of 0, which leaves them where they are
        // with every optimizer here; they are put back all the same, so that no
        // optimizer state (momentum restored from a run before they were frozen) moves them.
        let frozen = Model.frozenParameterRanges.map { Array(parameters[$0]) }
        parameters.withUnsafeMutableBufferPointer { parameterBuffer in
            gradients.withUnsafeBufferPointer { gradientBuffer in
                optimizer.step(parameters: parameterBuffer.baseAddress!, gradients: gradientBuffer.baseAddress!, count: Model.parameterCount)
            }
            for (range, values) in zip(Model.frozenParameterRanges, frozen) {
                (parameterBuffer.baseAddress! + range.lowerBound).update(from: values, count: range.count)
            }
            // BatchNormalization's moving averages are not trained (their gradient is 0, so the
            // step leaves them): they move toward this batch's statistics, as Keras's fit does.
            batchGradients.updateMovingStatistics(parameters: parameterBuffer.baseAddress!)
        }
        // The kernels read repacked weights: repack what the steps read after every update.
        stepModel = try Model(trainingParameters: parameters)
        inferenceModel = nil
    }
}
