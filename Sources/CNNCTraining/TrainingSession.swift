import CNNCRuntime
import Foundation

/// `cnnc train` inside the compiled model's executable: the data split, the
/// epochs with Keras's progress line, validation, saving weights and history
/// after every epoch, and the final test; or K-fold cross-validation.
public struct TrainingSession<Model: TrainableModel> {
    public let configuration: TrainingConfiguration
    private let printer = ProgressPrinter()

    public init(configuration: TrainingConfiguration) { self.configuration = configuration }

    /// The data divided as the configuration says.
    struct Parts {
        var train: LabeledImages
        var validation: LabeledImages?
        var test: LabeledImages?
    }

    public func run() throws(RuntimeError) {
        // Several inputs or outputs train on arrays named after them, not on labelled images.
        if configuration.trainsOnNamedArrays(Model.self) {
            try NamedArraysSession<Model>(configuration: configuration).run()
            return
        }
        let (train, classNames) = try LabeledImages.read(path: configuration.trainData)
        let test = try configuration.testData.map { path throws(RuntimeError) in try LabeledImages.read(path: path).images }
        _ = classNames
        if case .kFold(let folds) = configuration.split {
            try crossValidate(train, folds: folds)
            return
        }
        let parts = try divide(train: train, test: test)
        var model = try initialModel()
        var history = try configuration.startingHistory(TrainingHistory.self)
        let trainer = try makeTrainer(model, classCount: parts.train.classCount)
        // A run saved before optimizer states were kept resumes with a fresh optimizer (cnnc says so).
        if let state = try configuration.startingOptimizerState(belongingTo: model.parameters) {
            try trainer.restoreOptimizerState(state)
        }
        printer.line("Training \(Model.self) on \(describe(parts)): \(configuration.optimizer.description), batch size \(configuration.batchSize), loss \(trainer.loss.rawValue), \(configuration.threads) thread\(configuration.threads == 1 ? "" : "s"), seed \(configuration.seed)")
        for epoch in configuration.initialEpoch..<configuration.epochs {
            let row = try runEpoch(epoch, trainer: trainer, data: parts.train, validation: parts.validation)
            model = try trainer.model
            history.rows.append(row)
            // The weights go last: until they are renamed into place the files
            // still describe the previous epoch (the optimizer state it had is
            // kept as .previous, and the history's extra row is dropped on resume).
            if let path = configuration.optimizerState {
                try OptimizerStateFile.write(trainer.optimizerState, belongingTo: model.parameters, to: path)
            }
            if let path = configuration.history { try history.write(to: path) }
            // Redrawn every epoch, so a browser showing the file follows the run.
            if let path = configuration.plot {
                try AtomicFile.write(Data(TrainingCurves.svg(history, title: "\(Model.self) training").utf8), to: path)
            }
            if let path = configuration.saveWeights {
                try model.write(to: path, metadata: ["epoch": String(epoch + 1), "source": "\(configuration.source) train"])
            }
        }
        if let test = parts.test {
            let result = try Evaluation(model: model, data: test, loss: trainer.loss, targets: trainer.targets, threads: configuration.threads,
                                        penalties: configuration.activityPenalties)
            printer.line("Test: \(test.count.grouped) images - accuracy: \(String(format: "%.4f", result.accuracy)) - loss: \(String(format: "%.4f", result.loss))")
        }
        if let path = configuration.saveWeights { printer.line("Saved the weights to \(path)") }
        // Every other file the run keeps, so none is a surprise (or forgotten when copying the weights).
        if let path = configuration.history { printer.line("Saved the history (a row per epoch) to \(path)") }
        if let path = configuration.optimizerState {
            let previous = OptimizerStateFile.previousPath(of: path)
            let also = FileManager.default.fileExists(atPath: previous) ? ", and the one before the last epoch to \(previous)" : ""
            printer.line("Saved the optimizer state (for --resume) to \(path)\(also)")
        }
        if let path = configuration.plot { printer.line("Drew the training curves in \(path)") }
    }

    /// One epoch with its progress line; validation at its end.
    private func runEpoch(_ epoch: Int, trainer: Trainer<Model>, data: LabeledImages, validation: LabeledImages?) throws(RuntimeError) -> TrainingHistory.Row {
        printer.line("Epoch \(epoch + 1)/\(configuration.epochs)")
        printer.startEpoch()
        var steps = 0
        let metrics = try trainer.trainEpoch(epoch, on: data) { progress in
            steps = progress.steps
            printer.update(step: progress.step, steps: progress.steps, metrics: [("accuracy", progress.metrics.accuracy), ("loss", progress.metrics.loss)])
        }
        var shown = [("accuracy", metrics.accuracy), ("loss", metrics.loss)]
        var row = TrainingHistory.Row(epoch: epoch, accuracy: metrics.accuracy, loss: metrics.loss, validationAccuracy: nil, validationLoss: nil, seconds: 0)
        if let validation {
            let result = try Evaluation(model: try trainer.model, data: validation, loss: trainer.loss, targets: trainer.targets,
                                        threads: configuration.threads, penalties: configuration.activityPenalties)
            shown += [("val_accuracy", result.accuracy), ("val_loss", result.loss)]
            row.validationAccuracy = result.accuracy
            row.validationLoss = result.loss
        }
        row.seconds = printer.elapsed
        printer.finishEpoch(steps: steps, metrics: shown)
        return row
    }

    private func divide(train: LabeledImages, test: LabeledImages?) throws(RuntimeError) -> Parts {
        switch configuration.split {
        case .none, .kFold:
            return Parts(train: train, validation: nil, test: test)
        case .validationFraction(let fraction):
            let split = try DataSplit(kerasValidationSplit: fraction, count: train.count)
            return Parts(train: train.subset(split.train), validation: train.subset(split.validation), test: test)
        case .ratios(let ratios):
            let all = try test.map { test throws(RuntimeError) in try train.appending(test) } ?? train
            let split = try DataSplit(ratios: ratios, count: all.count, shuffleSeed: configuration.seed)
            return Parts(train: all.subset(split.train), validation: split.validation.isEmpty ? nil : all.subset(split.validation),
                         test: split.test.isEmpty ? nil : all.subset(split.test))
        }
    }

    /// K-fold cross-validation: a fresh model per fold, trained on the other folds and
    /// scored on its own; each fold's score, then the mean and standard deviation.
    private func crossValidate(_ data: LabeledImages, folds: Int) throws(RuntimeError) {
        let kFold = try KFold(count: data.count, folds: folds, shuffleSeed: configuration.seed)
        printer.line("\(folds)-fold cross-validation of \(Model.self) on \(data.count) images: \(configuration.optimizer.description), batch size \(configuration.batchSize), \(configuration.epochs) epoch\(configuration.epochs == 1 ? "" : "s") per fold")
        var histories: [TrainingHistory] = []
        for fold in 0..<folds {
            let split = kFold.split(fold: fold)
            printer.line("Fold \(fold + 1)/\(folds): training on \(split.train.count), validating on \(split.validation.count)")
            let trainer = try makeTrainer(try initialModel(), classCount: data.classCount)
            let train = data.subset(split.train), validation = data.subset(split.validation)
            // Each epoch is scored on the fold's own part, so the curves show every fold's course.
            var history = TrainingHistory()
            for epoch in 0..<configuration.epochs {
                history.rows.append(try runEpoch(epoch, trainer: trainer, data: train, validation: validation))
                if let path = configuration.plot {
                    try AtomicFile.write(Data(TrainingCurves.svg(folds: histories + [history], title: "\(Model.self) \(folds)-fold cross-validation").utf8), to: path)
                }
            }
            histories.append(history)
            let score = history.rows[history.rows.count - 1]
            printer.line("Fold \(fold + 1)/\(folds): val_accuracy: \(String(format: "%.4f", score.validationAccuracy ?? .nan)) - val_loss: \(String(format: "%.4f", score.validationLoss ?? .nan))")
        }
        let accuracies = histories.compactMap { $0.rows.last?.validationAccuracy }, losses = histories.compactMap { $0.rows.last?.validationLoss }
        printer.line("Cross-validation: val_accuracy \(Self.meanAndDeviation(accuracies)) - val_loss \(Self.meanAndDeviation(losses)) over \(folds) folds")
        if let path = configuration.plot { printer.line("Drew each fold's curves and their mean in \(path)") }
    }

    static func meanAndDeviation(_ values: [Double]) -> String {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        return String(format: "%.4f ± %.4f", mean, variance.squareRoot())
    }

    private func initialModel() throws(RuntimeError) -> Model {
        if let path = configuration.initialWeights { return try Model(contentsOf: path) }
        return Model(seed: configuration.seed)
    }


    private func makeTrainer(_ model: Model, classCount: Int) throws(RuntimeError) -> Trainer<Model> {
        let loss = configuration.loss
        let augmenter = try configuration.augmentation.map { options throws(RuntimeError) in try ImageAugmenter(options) }
        return try Trainer(model: model, optimizer: try configuration.optimizer.makeOptimizer(parameterCount: Model.parameterCount), loss: loss,
                           classCount: classCount, batchSize: configuration.batchSize, threads: configuration.threads,
                           seed: configuration.seed, augmenter: augmenter)
    }

    private func describe(_ parts: Parts) -> String {
        var text = "\(parts.train.count.grouped) images"
        var others: [String] = []
        if let validation = parts.validation { others.append("validation \(validation.count.grouped)") }
        if let test = parts.test { others.append("test \(test.count.grouped)") }
        if !others.isEmpty { text += " (" + others.joined(separator: ", ") + ")" }
        return text
    }
}

extension Int {
    /// 54000 → "54,000", as Keras prints counts.
    public var grouped: String {
        let digits = String(magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return (self < 0 ? "-" : "") + text
    }
}
