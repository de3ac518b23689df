import ArgumentParser
import CNNCCore
import CNNCRunner
import CNNCRuntime
import CNNCTraining
import Foundation

/// `cnnc train SPEC`: Keras's `fit`, compiled. Builds the model (release,
/// cached), stages the data and runs the epochs in the model's executable,
/// which prints Keras's progress line and saves weights and history after
/// every epoch.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a spec on a data set (built-in digits by default), as Keras's fit does.",
        discussion: """
            DATASET is mnist:DIR or fashion-mnist:DIR (the four IDX files, .gz or not), npz:FILE \
            (x_train, y_train and optionally x_test, y_test), or builtin (digits cnnc draws; the default). \
            Without a split option the model trains on the training part and is tested on the test part. \
            A model of several inputs or outputs trains on npz:FILE holding one array per input and per output, \
            named after it (class labels or the output's values), with a loss per output (--loss NAME=LOSS,...). \
            Everything random comes from --seed: the same seed and --threads give the same weights.
            """)

    @Argument(help: ModelArgument.help)
    var spec: String

    @OptionGroup var dataOption: DataOption

    @Option(help: "Passes over the training data.")
    var epochs: Int = 1

    @Option(help: "Samples per gradient step.")
    var batchSize: Int = 32

    @OptionGroup var optimizer: OptimizerOptions

    @OptionGroup var lossOption: LossOption

    @Option(help: "Augmentation as ImageDataGenerator's arguments, e.g. rotation_range=10,width_shift_range=0.1,zoom_range=0.1,horizontal_flip.")
    var augment: String?

    @Option(help: "train:validation:test ratios over all the data, e.g. 80:10:10 or 70:20:10.")
    var split: String?

    @Option(help: "Keras's validation_split: the last fraction of the training data validates.")
    var validationSplit: Double?

    @Option(help: "K-fold cross-validation: report each fold and the mean.")
    var kfold: Int?

    @Option(help: "Seed for initialization, shuffling, augmentation and dropout.")
    var seed: UInt64 = 1

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Save the weights here (safetensors) after every epoch.")
    var save: String?

    @Option(help: "Write the per-epoch history here as CSV (default: next to --save).")
    var history: String?

    @Option(help: "Draw the loss and accuracy curves here as SVG, redrawn after every epoch.")
    var plot: String?

    @Flag(help: "Continue from the weights and history at --save.")
    var resume = false

    @Option(help: "Start from these weights (safetensors, or Keras's .keras, .weights.h5 or .h5 file) instead of a fresh initialization, or of a .keras model's own weights.")
    var initialWeights: String?

    func validate() throws {
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if [split != nil, validationSplit != nil, kfold != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --split, --validation-split and --kfold")
        }
        if let kfold, kfold < 2 { throw ValidationError("--kfold needs at least 2 folds") }
        if resume && save == nil { throw ValidationError("--resume continues the run saved at --save; give --save") }
        if resume && initialWeights != nil { throw ValidationError("--resume and --initial-weights both say where to start; give one") }
        if kfold != nil && save != nil { throw ValidationError("--kfold trains one model per fold to score the spec; it saves none (train without --kfold to keep weights)") }
        // Said now, not after a build that may take a minute.
        _ = try augmentation()
        _ = try splitChoice()
    }

    /// `--augment`, read (and its augmenter checked).
    func augmentation() throws -> AugmentationOptions? {
        try augment.map { text in
            try RuntimeCheck.asValidation { () throws(RuntimeError) in
                let options = try AugmentationOptions(parsing: text)
                _ = try ImageAugmenter(options)
                return options
            }
        }
    }

    /// `--split`, `--validation-split` or `--kfold`, read.
    func splitChoice() throws -> TrainingConfiguration.Split {
        if let split { return .ratios(try RuntimeCheck.asValidation { () throws(RuntimeError) in try SplitRatios(parsing: split) }) }
        if let validationSplit {
            guard validationSplit > 0 && validationSplit < 1 else {
                throw ValidationError("--validation-split is a fraction between 0 and 1, such as 0.1")
            }
            return .validationFraction(validationSplit)
        }
        if let kfold { return .kFold(kfold) }
        return .none
    }

    func run() async throws {
        // First, before anything can refuse: a killed run's staged data goes
        // even when this run (a --resume of nothing, say) stages none.
        StagingFolder.removeLeftovers()
        let model = try Diagnostics.loadTrainableOrExit(spec)
        try lossOption.check(against: model)
        // The folders the run saves into are made now, not found missing after the epochs they would lose.
        try OutputFolders.make(files: [save, plot, history])
        // Arrays named after the inputs and outputs (`usesNamedArrays`), read and checked before the build.
        let namedArrays = TrainingData.usesNamedArrays(dataOption.data, for: model)
        if namedArrays { try refuseImageOptions(model) }
        let staged = namedArrays ? try TrainingData.prepareNamedArrays(dataOption.data, for: model) : nil
        defer { staged?.remove() }
        // A .keras model trains on from its own weights, as Keras's fit after load_model does.
        let initial = resume ? nil : try ModelWeights.prepareOrExit(initialWeights, spec: spec, for: model)
        defer { initial?.remove() }
        let fromModelFile = initialWeights == nil && initial != nil
        if fromModelFile { print("cnnc: training on from the weights in \(spec)") }
        // And with its optimizer, as Keras's fit after load_model does, unless
        // the command names another; hyperparameters given are laid over it.
        let saved = fromModelFile && optimizer.optimizer == nil ? KerasOptimizerState.prepare(spec: spec, for: model) : nil
        defer { saved?.remove() }
        let optimizerConfiguration = try saved.map { try optimizer.configuration(over: $0.configuration) } ?? optimizer.configuration()
        let kerasOptimizer = saved.flatMap { KerasOptimizerContinuation.keepsVariables(of: $0.configuration, optimizerConfiguration) ? $0 : nil }
        if let saved {
            if kerasOptimizer != nil {
                let changed = optimizer.isGiven ? " as \(optimizerConfiguration.description)" : ""
                print("cnnc: going on with the optimizer saved in \(spec): \(saved.configuration.description) after \(saved.step) steps\(changed)")
            } else {
                print("cnnc: \(spec)'s optimizer \(saved.configuration.description) keeps no variables for \(optimizerConfiguration.description); this run starts it afresh")
            }
        } else if fromModelFile, optimizer.optimizer != nil, let state = ModelWeights.kerasOptimizerState(in: spec) {
            print("cnnc: \(spec) also keeps a Keras optimizer's state (\(state.parameters) values); this run starts a fresh \(optimizerConfiguration.kind.rawValue), as --optimizer asks")
        }
        var configuration = TrainingConfiguration(trainData: "")
        configuration.activityPenalties = model.activityPenalties
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.seed = seed
        configuration.threads = threadsOption.threads
        configuration.optimizer = optimizerConfiguration
        configuration.initialOptimizerState = kerasOptimizer.map { Self.absolute($0.path) }
        (configuration.loss, configuration.outputLosses) = try lossOption.losses(for: model)
        configuration.lossWeights = try lossOption.weights()
        configuration.augmentation = try augmentation()
        configuration.split = try splitChoice()
        configuration.saveWeights = save.map(Self.absolute)
        configuration.history = (history ?? save.map(Self.historyPath)).map(Self.absolute)
        configuration.optimizerState = save.map { Self.absolute(Self.sibling(of: $0, suffix: ".optimizer.safetensors")) }
        configuration.plot = plot.map(Self.absolute)
        configuration.initialWeights = initial.map { Self.absolute($0.path) }
        configuration.source = "cnnc \(CNNCVersion.current)"
        // A run killed while saving leaves temporary files beside the set; they are never read.
        for path in [configuration.saveWeights, configuration.history, configuration.plot, configuration.optimizerState,
                     configuration.optimizerState.map(OptimizerStateFile.previousPath)].compactMap({ $0 }) {
            AtomicFile.removeLeftovers(of: path)
        }
        if resume { try resumeFromSave(&configuration) }
        if save == nil && kfold == nil {
            print("cnnc: the weights will not be kept; pass --save W.safetensors to keep them")
        }

        // The data is read and checked against the model before the build, which takes a while.
        let data = try staged ?? TrainingData.prepare(dataOption.data, for: model)
        defer { if staged == nil { data.remove() } }
        let built = try await CompiledModels.build(model, spec: spec, for: .training)
        print(data.description)
        // As Keras's fit: a batch larger than the data is the whole data (and no larger arenas are made for it).
        configuration.batchSize = min(batchSize, max(1, data.trainCount))
        configuration.trainData = data.trainPath
        configuration.namedArrays = namedArrays
        configuration.testData = data.testPath
        try await CompiledModels.stream(built.executable, job: .train(configuration))
    }

    /// What only a classifier of labelled images has, refused by name for a model of several inputs or outputs.
    private func refuseImageOptions(_ model: CheckedModel) throws {
        let given = [(augment != nil, "--augment"), (split != nil, "--split"), (kfold != nil, "--kfold"), (plot != nil, "--plot")]
            .filter(\.0).map(\.1)
        guard given.isEmpty else {
            throw ValidationError("\(given.joined(separator: ", ")): for a classifier of labelled images; this model has \(model.inputs.count) input\(model.inputs.count == 1 ? "" : "s") and \(model.outputs.count) output\(model.outputs.count == 1 ? "" : "s") and trains on named arrays, with --validation-split to validate")
        }
    }

    /// `--resume`: the saved weights, and the epoch after the last one the history records.
    private func resumeFromSave(_ configuration: inout TrainingConfiguration) throws {
        guard let weights = configuration.saveWeights, FileManager.default.fileExists(atPath: weights) else {
            throw ValidationError("--resume: no saved weights at \(save ?? "")")
        }
        guard let historyPath = configuration.history, FileManager.default.fileExists(atPath: historyPath) else {
            throw ValidationError("--resume: no history at \(configuration.history ?? "?") to say how many epochs are done")
        }
        // The weights are saved last, so their epoch is the run's; the history
        // may hold one row more (a run stopped while saving), which is dropped.
        let done: Int
        do throws(RuntimeError) {
            if let saved = try SafeTensors.read(path: weights).metadata["epoch"].flatMap({ Int($0) }) {
                done = saved
            } else {
                done = try TrainingHistory(csvAt: historyPath).rows.count
            }
        } catch {
            throw ValidationError(error.message)
        }
        guard done < epochs else {
            throw ValidationError("--resume: the run at \(weights) has done \(done) epoch\(done == 1 ? "" : "s") already; ask for more with --epochs")
        }
        configuration.initialWeights = weights
        configuration.initialEpoch = done
        let state = configuration.optimizerState.flatMap { path in
            [path, OptimizerStateFile.previousPath(of: path)].contains { FileManager.default.fileExists(atPath: $0) } ? path : nil
        }
        print("cnnc: resuming at epoch \(done + 1) from \(weights)" + (state == nil ? " (no optimizer state beside it: the optimizer starts afresh)" : " and its optimizer state"))
    }

    static func historyPath(forWeights path: String) -> String { sibling(of: path, suffix: ".history.csv") }

    /// `run/lenet5.safetensors` → `run/lenet5` + suffix.
    static func sibling(of path: String, suffix: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().path + suffix
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
