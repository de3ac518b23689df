import CNNCRuntime
import Foundation

/// `cnnc train` for a model of several inputs or outputs, inside its
/// executable: Keras's `fit(x={...}, y={...})` with a loss per output. The
/// data is one array per input and per output, named after it
/// (`NamedArrays`); the epochs shuffle it with the seed, print Keras's
/// progress line with the total loss and each output's (`class_head_loss`),
/// validate on the last fraction when asked (`validation_split`), and save
/// weights, optimizer state and history after every epoch, as for a classifier.
struct NamedArraysSession<Model: TrainableModel> {
    let configuration: TrainingConfiguration
    private let printer = ProgressPrinter()

    init(configuration: TrainingConfiguration) { self.configuration = configuration }

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
        if configuration.initialEpoch > 0, let path = configuration.optimizerState,
           let state = try OptimizerStateFile.read(belongingTo: model.parameters, at: path) {
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
                let scores = try Self.evaluate(trainer.model, rows: validationRows, x: x, y: y, loss: loss, threads: configuration.threads)
                for (name, value) in scores { metrics.append(("val_" + name, value)) }
            }
            printer.finishEpoch(steps: (trainRows.count + configuration.batchSize - 1) / configuration.batchSize, metrics: metrics)
            model = trainer.model
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

    /// One shuffled pass; the running loss and each output's, as Keras's progress bar shows them.
    private func trainEpoch(_ epoch: Int, trainer: TensorTrainer<Model>, rows: [Int], x: NPYFile, y: NPYFile) throws(RuntimeError) -> [(String, Double)] {
        let batches = EpochBatches(count: rows.count, batchSize: configuration.batchSize, shuffle: true, seed: configuration.seed, epoch: epoch)
        let seed = configuration.seed
        var sums = [Double](repeating: 0, count: 1 + Model.outputLayout.count), seen = 0
        var metrics: [(String, Double)] = []
        for step in 0..<batches.batchCount {
            let picked = batches.batch(step).map { rows[$0] }
            let dropoutSeeds = picked.map { index in
                var generator = SplitMix64(seed: seed ^ 0x4452_4F50, stream: UInt64(epoch) << 32 | UInt64(index))  // "DROP", as Trainer draws
                return generator.next()
            }
            let result = try trainer.step(count: picked.count, dropoutSeeds: dropoutSeeds, epoch: epoch, step: step) { inputs, targets in
                for (position, row) in picked.enumerated() {
                    (inputs + position * Model.inputCount).update(from: x.values, offset: row * Model.inputCount, count: Model.inputCount)
                    (targets + position * Model.outputCount).update(from: y.values, offset: row * Model.outputCount, count: Model.outputCount)
                }
            }
            for (index, value) in ([result.loss] + result.outputLosses).enumerated() { sums[index] += value * Double(picked.count) }
            seen += picked.count
            metrics = Self.named(sums.map { $0 / Double(seen) })
            printer.update(step: step + 1, steps: batches.batchCount, metrics: metrics)
        }
        return metrics
    }

    /// `loss`, then `<output>_loss` for each output of a model of several.
    static func named(_ values: [Double]) -> [(String, Double)] {
        let outputs = Model.outputLayout
        guard outputs.count > 1 else { return [("loss", values[0])] }
        return [("loss", values[0])] + zip(outputs, values.dropFirst()).map { ("\($0.name)_loss", $1) }
    }

    /// The losses over `rows` in inference mode, as Keras's `evaluate` reports them.
    static func evaluate(_ model: Model, rows: [Int], x: NPYFile, y: NPYFile, loss: ModelLoss, threads: Int) throws(RuntimeError) -> [(String, Double)] {
        var inputs = [Float](repeating: 0, count: rows.count * Model.inputCount)
        for (position, row) in rows.enumerated() {
            inputs[(position * Model.inputCount)..<((position + 1) * Model.inputCount)] = x.values[(row * Model.inputCount)..<((row + 1) * Model.inputCount)]
        }
        let outputs = try model.predict(batch: inputs, threads: threads)
        let slots = Model.outputLayout
        var sums = [Double](repeating: 0, count: 1 + slots.count)
        outputs.withUnsafeBufferPointer { predicted in
            y.values.withUnsafeBufferPointer { targets in
                for (position, row) in rows.enumerated() {
                    for (number, slot) in slots.enumerated() {
                        let yp = predicted.baseAddress! + position * Model.outputCount + slot.offset
                        let tp = targets.baseAddress! + row * Model.outputCount + slot.offset
                        let channels = slot.shape.last ?? 1
                        sums[1 + number] += Double(loss.functions[number].value(yp, tp, count: slot.count, channels: channels))
                        sums[0] += Double(loss.value(number, yp, tp, count: slot.count, channels: channels))
                    }
                }
            }
        }
        return named(sums.map { $0 / Double(rows.count) })
    }

}

extension UnsafeMutablePointer where Pointee == Float {
    /// Copies `count` values of `source` from `offset` on.
    fileprivate func update(from source: [Float], offset: Int, count: Int) {
        source.withUnsafeBufferPointer { self.update(from: $0.baseAddress! + offset, count: count) }
    }
}
