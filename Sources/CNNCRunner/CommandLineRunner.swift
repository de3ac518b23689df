import CNNCRuntime
import CNNCTraining
import Foundation

/// The `main` of a model executable that cnnc builds:
///
///     Model WEIGHTS INPUT.npy OUTPUT.npy THREADS    a batch's outputs, as .npy
///     Model job < JOB.json                          what cnnc asks: a `ModelJob`
///
/// The first form is for people who keep the package `cnnc build` writes; cnnc
/// itself sends every request as a job. Every failure is one line on standard
/// error and exit status 1 (`verify` also exits 1 when a layer diverges).
public enum CommandLineRunner {
    /// Every generated model is trainable (or says why not), so this overload is the one generated code calls.
    public static func main<Model: TrainableModel>(_ type: Model.Type, arguments: [String] = CommandLine.arguments) -> Never {
        main(arguments) { job throws(RuntimeError) in
            switch job {
            case .train(let configuration):
                try TrainingSession<Model>(configuration: configuration).run()
            case .evaluate(let configuration):
                try TrainingRunner.evaluate(Model.self, configuration)
            case .bench(let options) where options.mode == .training:
                if options.perLayer { print(try LayerTimings.measure(Model.self, options: options).text) }
                print(try BenchmarkRunner.runTraining(Model.self, options: options).text, terminator: "")
            default:
                return try perform(job, Model.self)
            }
            return 0
        }
    }

    public static func main<Model: CompiledModel>(_ type: Model.Type, arguments: [String] = CommandLine.arguments) -> Never {
        main(arguments) { job throws(RuntimeError) in try perform(job, Model.self) }
    }

    /// Reads the job (from standard input, or the predict form's arguments),
    /// performs it and exits with the status it returns.
    private static func main(_ arguments: [String], _ perform: (ModelJob) throws(RuntimeError) -> Int32) -> Never {
        ParentWatch.start()
        do throws(RuntimeError) {
            if arguments.count == 2, arguments[1] == "job" {
                exit(try perform(ModelJob(decoding: FileHandle.standardInput.readDataToEndOfFile())))
            }
            guard arguments.count == 5, let threads = Int(arguments[4]), threads > 0 else {
                let name = arguments.first ?? "Model"
                throw RuntimeError("usage: \(name) WEIGHTS.safetensors INPUT.npy OUTPUT.npy THREADS, or \(name) job < JOB.json")
            }
            exit(try perform(.predict(.init(weights: arguments[1], input: arguments[2], output: arguments[3]), threads: threads)))
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            exit(1)
        }
    }

    /// The jobs every model can do; returns the exit status.
    private static func perform<Model: CompiledModel>(_ job: ModelJob, _ type: Model.Type) throws(RuntimeError) -> Int32 {
        switch job {
        case .predict(let files, let threads):
            try predict(Model.self, files, threads: threads)
        case .layers(let files, let source):
            try VerificationRunner.writeLayers(Model.self, files, source: source)
        case .verify(let verification):
            return try VerificationRunner.verify(Model.self, verification) ? 0 : 1
        case .bench(let options):
            guard options.mode == .inference else { throw RuntimeError("\(Model.self) cannot be trained, so only --mode inference can be timed") }
            // The report's JSON line stays the last line printed.
            if options.perLayer { print(try LayerTimings.measure(Model.self, options: options).text) }
            print(try BenchmarkRunner.run(Model.self, options: options).text, terminator: "")
        case .train, .evaluate:
            throw RuntimeError("\(Model.self) is not a trainable model, so it cannot be trained or evaluated")
        }
        return 0
    }

    /// Loads the weights, checks the input's shape against the model, runs the
    /// batch and writes the outputs atomically.
    private static func predict<Model: CompiledModel>(_ type: Model.Type, _ files: ModelJob.BatchFiles, threads: Int) throws(RuntimeError) {
        let model = try Model(contentsOf: files.weights)
        let input = try NPYFile.read(path: files.input)
        let count = try Model.batchCount(of: input, path: files.input)
        guard count > 0 else {
            throw RuntimeError("\(files.input): the input holds no samples (its first dimension is 0); there is nothing to predict")
        }
        let output = try model.predict(batch: input.values, threads: threads)
        NonFiniteWarnings.report(input: input.values, output: output, samples: count, inputPath: files.input, inputsChecked: files.inputsChecked)
        try NPYFile(shape: [count] + Model.outputShape, values: output).write(to: files.output)
    }
}
