import CNNCRuntime
import Foundation

/// `cnnc train` for a model of several inputs or outputs, inside its
/// executable: Keras's `fit(x={...}, y={...})` with a loss per output. The
/// data is one array per input and per output, named after it
/// (`NamedArrays`); the epochs shuffle it with the seed, print Keras's
/// progress line with the total loss and each output's (`class_head_loss`),
/// validate on the last fraction when asked (`validation_split`), and save
/// weights, optimizer state and history after every epoch, as for a classifier.
public struct NamedArraysSession<Model: TrainableModel> {
    let configuration: TrainingConfiguration
    private let printer = ProgressPrinter()

    public init(configuration: TrainingConfiguration) { self.configuration = configuration }

    /// The loss of each output: named for it, or the one given for all, or
    /// the one its activation implies (cross-entropy after softmax or a single sigmoid).
    static func loss(_ configuration: TrainingConfiguration) throws(RuntimeError) -> ModelLoss {
        let outputs = Model.outputLayout
        var functions: [LossFunction] = []
        for (output, activation) in zip(outputs, Model.outputActivations) {
            if let named = configuration.outputLosses[output.name] ?? configuration.loss {
                functions.append(named)
                continue
            }
            guard let implied = ModelLoss.implied(byActivation: activation, values: output.count) else {
                throw RuntimeError("the output '\(output.name)' ends in '\(activation)', so no loss is implied; name it, as Keras's compile takes a loss per output: --loss \(output.name)=mean_squared_error (or \(LossFunction.allCases.filter { $0 != .meanSquaredError }.map(\.rawValue).joined(separator: ", ")))")
            }
            functions.append(implied)
        }
        let unknown = configuration.outputLosses.keys.filter { name in !outputs.contains { $0.name == name } } + configuration.lossWeights.keys.filter { name in !outputs.contains { $0.name == name } }
        if let name = unknown.sorted().first {
            throw RuntimeError("the model has no output '\(name)'; its outputs are \(outputs.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        return try ModelLoss(functions: functions, weights: outputs.map { configuration.lossWeights[$0.name] ?? 1 })
    }

    func run() throws(RuntimeError) {
        let loss = try Self.loss(configuration)
        let (x, y) = try NamedArrays.read(path: configuration.trainData)
            .packed(inputs: Model.inputLayout, outputs: Model.outputLayout, loss: loss, path: "the training data")
        let samples = x.shape[0]
        var trainRows = Array(0..<samples), validationRows: [Int] = []
        switch configuration.split {
        case .none: break
        case .validationFraction(let fraction):
            let split = try DataSplit(kerasValidationSplit: fraction, count: samples)
            (trainRows, validationRows) = (split.train, split.validation)
        case .ratios, .kFold:
            throw RuntimeError("--split and --kfold divide labelled images; for a model of several inputs or outputs use --validation-split")
        }
        var model = if let path = configuration.initialWeights { try Model(contentsOf: path) } else { Model(seed: configuration.seed) }
        let trainer = try TensorTrainer(model: model, optimizer: try configuration.optimizer.makeOptimizer(parameterCount: Model.parameterCount),
                                        loss: loss, batchSize: configuration.batchSize, threads: configuration.threads)
        if let state = try configuration.startingOptimizerState(belongingTo: model.parameters) {
            try trainer.restoreOptimizerState(state)
        }
        var history = try configuration.startingHistory(MetricsHistory.self)
        let losses = zip(Model.outputLayout, loss.functions).map { "\($0.name): \($1.rawValue)" }.joined(separator: ", ")
        let validation = validationRows.isEmpty ? "" : " (validation \(validationRows.count.grouped))"
        printer.line("Training \(Model.self) on \(trainRows.count.grouped) samples\(validation): \(configuration.optimizer.description), batch size \(configuration.batchSize), loss \(losses), \(configuration.threads) thread\(configuration.threads == 1 ? "" : "s"), seed \(configuration.seed)")
        for epoch in configuration.initialEpoch..<configuration.epochs {
            printer.line("Epoch \(epoch + 1)/\(configuration.epochs)")
            printer.startEpoch()
            var metrics = try trainEpoch(epoch, trainer: trainer, rows: trainRows, x: x, y: y)
            if !validationRows.isEmpty {
                let scores = try Self.evaluate(try trainer.model, rows: validationRows, x: x, y: y, loss: loss, threads: configuration.threads,
                                              penalties: configuration.activityPenalties)
                for (name, value) in scores { metrics.append(("val_" + name, value)) }
            }
            printer.finishEpoch(steps: (trainRows.count + configuration.batchSize - 1) / configuration.batchSize, metrics: metrics)
            model = try trainer.model
            history.rows.append(MetricsHistory.Row(epoch: epoch, metrics: Dictionary(uniqueKeysWithValues: metrics), seconds: printer.elapsed))
            // The weights go last, as for a classifier: until they are renamed into place the files describe the previous epoch.
            if let path = configuration.optimizerState {
                try OptimizerStateFile.write(trainer.optimizerState, belongingTo: model.parameters, to: path)
            }
            if let path = configuration.history { try history.write(to: path) }
            if let path = configuration.saveWeights {
                try model.write(to: path, metadata: ["epoch": String(epoch + 1), "source": "\(configuration.source) train"])
            }
        }
        if let path = configuration.saveWeights { printer.line("Saved the weights to \(path)") }
        if let path = configuration.history { printer.line("Saved the history (a row per epoch) to \(path)") }
        if let path = configuration.optimizerState { printer.line("Saved the optimizer state (for --resume) to \(path)") }
    }

    /// One shuffled pass; the running loss, each output's and each classifier head's accuracy, as Keras's progress bar shows them.
    private func trainEpoch(_ epoch: Int, trainer: TensorTrainer<Model>, rows: [Int], x: NPYFile, y: NPYFile) throws(RuntimeError) -> [(String, Double)] {
        let batches = EpochBatches(count: rows.count, batchSize: configuration.batchSize, shuffle: true, seed: configuration.seed, epoch: epoch)
        let seed = configuration.seed
        var metrics = OutputMetrics(outputs: Model.outputLayout, loss: trainer.loss)
        for step in 0..<batches.batchCount {
            let picked = batches.batch(step).map { rows[$0] }
            let dropoutSeeds = picked.map { index in
                var generator = SplitMix64(seed: seed ^ 0x4452_4F50, stream: UInt64(epoch) << 32 | UInt64(index))  // "DROP", as Trainer draws
                return generator.next()
            }
            _ = try trainer.step(count: picked.count, dropoutSeeds: dropoutSeeds, epoch: epoch, step: step) { inputs, targets in
                for (position, row) in picked.enumerated() {
                    (inputs + position * Model.inputCount).update(from: x.values, offset: row * Model.inputCount, count: Model.inputCount)
                    (targets + position * Model.outputCount).update(from: y.values, offset: row * Model.outputCount, count: Model.outputCount)
                }
            }
            // Measured on the batch before its update, in training mode, as Keras's progress bar does.
            trainer.outputs.withUnsafeBufferPointer { predicted in
                trainer.targets.withUnsafeBufferPointer { targets in
                    for position in picked.indices {
                        let start = position * Model.outputCount
                        metrics.add(predicted.baseAddress! + start, targets.baseAddress! + start, total: trainer.losses[position])
                    }
                }
            }
            printer.update(step: step + 1, steps: batches.batchCount, metrics: metrics.values)
        }
        return metrics.values
    }

    /// The losses (and heads' accuracy) over `rows` in inference mode, as Keras's `evaluate` reports them.
    static func evaluate(_ model: Model, rows: [Int], x: NPYFile, y: NPYFile, loss: ModelLoss, threads: Int,
                         penalties: [ActivityPenalty]) throws(RuntimeError) -> [(String, Double)] {
        var inputs = [Float](repeating: 0, count: rows.count * Model.inputCount)
        for (position, row) in rows.enumerated() {
            inputs[(position * Model.inputCount)..<((position + 1) * Model.inputCount)] = x.values[(row * Model.inputCount)..<((row + 1) * Model.inputCount)]
        }
        let outputs = try model.predict(batch: inputs, threads: threads)
        let penalty = try ActivityPenalties<Model>(penalties).map { penalized in
            inputs.withUnsafeBufferPointer { penalized.values(model, input: $0.baseAddress!, count: rows.count) }
        }
        var metrics = OutputMetrics(outputs: Model.outputLayout, loss: loss)
        outputs.withUnsafeBufferPointer { predicted in
            y.values.withUnsafeBufferPointer { targets in
                for (position, row) in rows.enumerated() {
                    metrics.add(predicted.baseAddress! + position * Model.outputCount, targets.baseAddress! + row * Model.outputCount,
                                penalty: penalty?[position] ?? 0)
                }
            }
        }
        return metrics.values
    }

    /// `cnnc evaluate`: the losses and heads' accuracy of the saved weights on all the arrays.
    public func evaluate() throws(RuntimeError) {
        guard let weights = configuration.evaluateWeights else { throw RuntimeError("evaluate needs weights") }
        let model = try Model(contentsOf: weights)
        let loss = try Self.loss(configuration)
        let (x, y) = try NamedArrays.read(path: configuration.trainData)
            .packed(inputs: Model.inputLayout, outputs: Model.outputLayout, loss: loss, path: "the data")
        let scores = try Self.evaluate(model, rows: Array(0..<x.shape[0]), x: x, y: y, loss: loss, threads: configuration.threads,
                                              penalties: configuration.activityPenalties)
        let losses = zip(Model.outputLayout, loss.functions).map { "\($0.name): \($1.rawValue)" }.joined(separator: ", ")
        printer.line("Evaluated \(Model.self) on \(x.shape[0].grouped) samples (loss \(losses))")
        for (name, value) in scores { printer.line("\(name): \(String(format: "%.4f", value))") }
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// Copies `count` values of `source` from `offset` on.
    fileprivate func update(from source: [Float], offset: Int, count: Int) {
        source.withUnsafeBufferPointer { self.update(from: $0.baseAddress! + offset, count: count) }
    }
}
