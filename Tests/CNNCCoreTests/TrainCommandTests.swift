import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// `cnnc train` and `cnnc evaluate` as a user runs them, on a slice of real
/// MNIST (../shared/data): 1,000 training and 500 test images, LeNet-5 from
/// Specs/. Every run shares one model cache, so the model is compiled once.
@Suite(.serialized) struct TrainCommandTests {
    /// In the package's .build, as the test workbench is, and emptied once per
    /// run: a folder in /tmp would be left behind by every run (16 MB with its
    /// compiled model), since a suite has no teardown after its last test.
    static let folder = RepositoryFiles.root.appendingPathComponent(".build/cnnc-train-tests")
    static let environment = ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path]
    static var mnistSlice: String { folder.appendingPathComponent("mnist-slice.npz").path }

    /// The folder emptied, then the first 1,000 training and 500 test images
    /// of MNIST written into it as an .npz with CNNCData, once.
    static let prepared = Result<Void, any Error> {
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mnist = try DatasetSource.mnist(directory: RepositoryFiles.path("../shared/data/mnist")).load()
        guard let test = mnist.test else { throw RuntimeError("../shared/data/mnist has no test part") }
        let slice = Dataset(name: "MNIST slice", train: mnist.train.subset(Array(0..<1000)),
                            test: test.subset(Array(0..<500)), classNames: mnist.classNames)
        try slice.writeNPZ(to: mnistSlice)
    }

    static func makeMNISTSlice() throws { try prepared.get() }

    static func train(_ arguments: [String]) throws -> CommandLineTests.Run {
        try makeMNISTSlice()
        return try CommandLineTests.cnnc(["train", "Specs/lenet5.cnn.yaml", "--data", "npz:\(mnistSlice)"] + arguments, environment: environment)
    }

    static func accuracy(in output: String, after prefix: String) -> Double? {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(prefix) }),
              let range = line.range(of: "accuracy: ") else { return nil }
        return Double(line[range.upperBound...].prefix(6))
    }

    /// Above a bar a broken gradient cannot reach (chance is 10%), then the same
    /// seed gives the same weights, a resumed run continues, and evaluate agrees.
    @Test func lenet5LearnsMNISTDigitsRepeatablyAndResumes() throws {
        let weights = Self.folder.appendingPathComponent("lenet5.safetensors").path
        let run = try Self.train(["--epochs", "3", "--optimizer", "adam", "--threads", "2", "--save", weights])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("mnist-slice.npz: 1,000 training and 500 test images, 28x28x1, 10 classes"))
        #expect(run.output.contains("Training Lenet5 on 1,000 images (test 500): adam(learning_rate=0.001"))
        #expect(run.output.contains("Epoch 3/3\n32/32 ━━━━━━━━━━━━━━━━━━━━ "))
        let test = try #require(Self.accuracy(in: run.output, after: "Test: 500 images"), "\(run.output)")
        #expect(test > 0.8, "test accuracy \(test) after 3 epochs on 1,000 images\n\(run.output)")
        let history = try String(contentsOfFile: Self.folder.appendingPathComponent("lenet5.history.csv").path, encoding: .utf8)
        #expect(history.hasPrefix("epoch,accuracy,loss,seconds\n0,") && history.split(separator: "\n").count == 4)

        let again = Self.folder.appendingPathComponent("again.safetensors").path
        #expect(try Self.train(["--epochs", "3", "--optimizer", "adam", "--threads", "2", "--save", again]).status == 0)
        #expect(FileManager.default.contents(atPath: again) == FileManager.default.contents(atPath: weights), "same seed and threads, different weights")

        let resumed = try Self.train(["--epochs", "4", "--optimizer", "adam", "--threads", "2", "--save", weights, "--resume"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.output.contains("resuming at epoch 4") && resumed.output.contains("Epoch 4/4") && !resumed.output.contains("Epoch 3/4"))
        // Weights, optimizer state and the epoch's batches all carry over: 3 + 1 epochs equal 4 in one run, bit for bit.
        let straight = Self.folder.appendingPathComponent("straight.safetensors").path
        #expect(try Self.train(["--epochs", "4", "--optimizer", "adam", "--threads", "2", "--save", straight]).status == 0)
        #expect(FileManager.default.contents(atPath: straight) == FileManager.default.contents(atPath: weights), "a resumed run differs from an uninterrupted one")
        let longer = try String(contentsOfFile: Self.folder.appendingPathComponent("lenet5.history.csv").path, encoding: .utf8)
        #expect(longer.split(separator: "\n").count == 5)

        let evaluated = try CommandLineTests.cnnc(["evaluate", "Specs/lenet5.cnn.yaml", "--weights", weights, "--data", "npz:\(Self.mnistSlice)"], environment: Self.environment)
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        #expect(evaluated.output.contains("Evaluated Lenet5 on 500 test images"))
        #expect(evaluated.output.contains("accuracy: \(String(format: "%.4f", Self.accuracy(in: resumed.output, after: "Test: 500 images") ?? -1))"))
        #expect(evaluated.output.contains("true \\ predicted  0  1  2") && evaluated.output.contains("  recall\n0 "))

        let bench = try CommandLineTests.cnnc(["bench", "Specs/lenet5.cnn.yaml", "--mode", "training", "--batch-size", "32", "--seconds", "0.2"], environment: Self.environment)
        #expect(bench.status == 0, "\(bench.errors)")
        #expect(bench.output.split(separator: "\n").last?.contains("\"mode\": \"training\"") == true)
    }

    /// The course's ways to divide data: ratios, Keras's validation split, K-fold; and augmentation on the fly.
    @Test func splitsFoldsAndAugmentation() throws {
        let ratios = try Self.train(["--split", "70:20:10", "--optimizer", "sgd", "--learning-rate", "0.1"])
        #expect(ratios.status == 0, "\(ratios.errors)")
        #expect(ratios.output.contains("Training Lenet5 on 1,050 images (validation 300, test 150)"), "\(ratios.output)")
        #expect(ratios.output.contains(" - val_accuracy: ") && ratios.output.contains("Test: 150 images"))

        let validation = try Self.train(["--validation-split", "0.2", "--augment", "rotation_range=10,zoom_range=0.1,fill_mode=constant"])
        #expect(validation.status == 0, "\(validation.errors)")
        #expect(validation.output.contains("Training Lenet5 on 800 images (validation 200, test 500)"), "\(validation.output)")

        let curves = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-kfold-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: curves) }
        let folds = try Self.train(["--kfold", "3", "--plot", curves])
        #expect(folds.status == 0, "\(folds.errors)")
        #expect(folds.output.contains("Fold 3/3: training on 667, validating on 333"), "\(folds.output)")
        #expect(folds.output.contains("Cross-validation: val_accuracy "))
        // One thin line per fold in each of the two panels, behind the mean.
        let svg = try String(contentsOfFile: curves, encoding: .utf8)
        #expect(svg.components(separatedBy: "<polyline class=\"fold\"").count - 1 == 6, "\(svg.prefix(800))")
        #expect(svg.contains("the mean of 3 folds"))
    }

    /// Mistakes are said before anything is built, or with the file at fault.
    @Test func badRequestsSayWhatWouldBeRight() throws {
        let cases: [([String], String)] = [
            (["--optimizer", "adamw"], "unknown optimizer 'adamw'; choose sgd, adam or rmsprop"),
            (["--optimizer", "adam", "--nesterov"], "--nesterov is an option of sgd"),
            (["--split", "70-30"], "split '70-30' is not ratios like 70:20:10"),
            (["--split", "80:20", "--kfold", "5"], "choose one of --split, --validation-split and --kfold"),
            (["--augment", "spin=3"], "--augment does not know 'spin'"),
            (["--resume"], "--resume continues the run saved at --save; give --save"),
            (["--loss", "hinge"], "unknown loss 'hinge'"),
            (["--loss-weights", "dense_2=2"], "--loss-weights weighs the outputs of a model of several; this one has one, 'dense_2'"),
        ]
        for (arguments, message) in cases {
            let run = try Self.train(arguments)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.errors.contains(message), "\(arguments): \(run.errors)")
        }
        try Self.makeMNISTSlice()
        let missing = try CommandLineTests.cnnc(["train", "Specs/lenet5.cnn.yaml", "--data", "mnist:/no/such/folder"], environment: Self.environment)
        #expect(missing.status != 0)
        // Said before the model is compiled.
        #expect(missing.errors.contains("/no/such/folder: no such directory"), "\(missing.errors)")
        #expect(!missing.errors.contains("compiling"), "\(missing.errors)")
        let notAClassifier = try CommandLineTests.cnnc(["train", "Specs/seed_edge_6x6.cnn.yaml", "--data", "npz:\(Self.mnistSlice)"], environment: Self.environment)
        #expect(notAClassifier.status == 1)
        #expect(notAClassifier.errors.contains("the model's output has shape (4, 4, 1); training on class labels needs a vector of class scores"), "\(notAClassifier.errors)")
        // Images of another shape than the model's input, before the model is compiled.
        let wrongShape = try CommandLineTests.cnnc(["train", "Specs/toy_convnet.cnn.yaml", "--data", "npz:\(Self.mnistSlice)"], environment: Self.environment)
        #expect(wrongShape.status == 1)
        #expect(wrongShape.errors.contains("mnist-slice.npz: the images are (28, 28, 1) but the model takes (32, 32, 3)"), "\(wrongShape.errors)")
        #expect(!wrongShape.errors.contains("compiling") && !notAClassifier.errors.contains("compiling"), "\(wrongShape.errors)")
        // Pixels in [0, 1] into a model that rescales raw pixels by 1/255: warned (then refused here for its labels, before any build).
        let rescaling = Self.folder.appendingPathComponent("rescaling.yaml").path
        try "input_shape: [28, 28, 1]\nlayers:\n  - Rescaling: {scale: 0.00392156862745098}\n  - Flatten: {}\n  - Dense: {units: 3, activation: softmax}\n"
            .write(toFile: rescaling, atomically: true, encoding: .utf8)
        let twice = try CommandLineTests.cnnc(["train", rescaling, "--data", "npz:\(Self.mnistSlice)"], environment: Self.environment)
        #expect(twice.status == 1 && !twice.errors.contains("compiling"))
        #expect(twice.errors.contains("warning: the images are in [0, 1] (cnnc scales uint8 pixels by 1/255), and the model's Rescaling multiplies its input by 0.00392156862745098 again"), "\(twice.errors)")
        // The same behind augmentation layers, which pass pixels on at inference.
        let augmented = Self.folder.appendingPathComponent("augmented.yaml").path
        try "input_shape: [28, 28, 1]\nlayers:\n  - RandomFlip: {mode: horizontal}\n  - RandomRotation: {factor: 0.1}\n  - Rescaling: {scale: 0.00392156862745098}\n  - Flatten: {}\n  - Dense: {units: 3, activation: softmax}\n"
            .write(toFile: augmented, atomically: true, encoding: .utf8)
        let behind = try CommandLineTests.cnnc(["train", augmented, "--data", "npz:\(Self.mnistSlice)"], environment: Self.environment)
        #expect(behind.errors.contains("and the model's Rescaling multiplies its input by 0.00392156862745098 again"), "\(behind.errors)")
    }

    /// One output's loss may be named as a model of several names them (`--loss dense_2=...`), and is then its loss.
    @Test func oneOutputsLossByName() throws {
        let run = try Self.train(["--loss", "dense_2=categorical_crossentropy", "--epochs", "1", "--batch-size", "100"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("loss categorical_crossentropy"), "\(run.output)")
    }

    /// A killed cnnc's staged data goes at the start of the next `cnnc train`,
    /// even one that is refused before it stages anything (a --resume of no run).
    @Test func aRefusedResumeStillRemovesAKilledRunsStagedData() throws {
        let temporary = Self.folder.appendingPathComponent("tmp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        // A process that has ended: its pid names no cnnc now.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let leftover = temporary.appendingPathComponent("cnnc-data-\(ended.processIdentifier)-12345")
        let notOurs = temporary.appendingPathComponent("cnnc-data-not-a-pid")
        for folder in [leftover, notOurs] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let run = try CommandLineTests.cnnc(["train", "Specs/lenet5.cnn.yaml", "--save", temporary.appendingPathComponent("none.safetensors").path, "--resume"],
                                            environment: Self.environment.merging(["TMPDIR": temporary.path]) { $1 })
        #expect(run.status != 0 && run.errors.contains("--resume: no saved weights at"), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
        #expect(FileManager.default.fileExists(atPath: notOurs.path))
    }

    /// A run stopped between saving its optimizer state and its weights
    /// leaves the next epoch's state beside this epoch's weights: resume takes
    /// the state kept as .previous and continues bit for bit; a state that
    /// belongs to no saved weights is refused, never mixed in.
    @Test func aRunStoppedWhileSavingResumesExactlyOrIsRefused() throws {
        func path(_ name: String) -> String { Self.folder.appendingPathComponent(name).path }
        let adam = ["--optimizer", "adam", "--threads", "2"]
        #expect(try Self.train(["--epochs", "1", "--save", path("cut.safetensors")] + adam).status == 0)
        #expect(try Self.train(["--epochs", "2", "--save", path("whole.safetensors")] + adam).status == 0)
        // The state of epoch 2 renamed into place, the weights of epoch 2 not yet.
        let files = FileManager.default
        try? files.removeItem(atPath: path("cut.optimizer.previous.safetensors"))
        try files.moveItem(atPath: path("cut.optimizer.safetensors"), toPath: path("cut.optimizer.previous.safetensors"))
        try files.copyItem(atPath: path("whole.optimizer.safetensors"), toPath: path("cut.optimizer.safetensors"))
        try files.removeItem(atPath: path("cut.history.csv"))
        try files.copyItem(atPath: path("whole.history.csv"), toPath: path("cut.history.csv"))
        try Data("half a file".utf8).write(to: URL(fileURLWithPath: path(".cut.safetensors.\(UUID().uuidString).tmp")))
        let resumed = try Self.train(["--epochs", "2", "--save", path("cut.safetensors"), "--resume"] + adam)
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.output.contains("resuming at epoch 2"), "\(resumed.output)")
        #expect(files.contents(atPath: path("cut.safetensors")) == files.contents(atPath: path("whole.safetensors")), "the resumed run differs")
        let leftovers = try files.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasPrefix(".cut.safetensors.") }
        #expect(leftovers.isEmpty, "\(leftovers)")

        // Both states belong to other weights: refused.
        try files.copyItem(atPath: path("whole.safetensors"), toPath: path("mixed.safetensors"))
        try files.copyItem(atPath: path("cut.history.csv"), toPath: path("mixed.history.csv"))
        try files.copyItem(atPath: path("whole.optimizer.previous.safetensors"), toPath: path("mixed.optimizer.safetensors"))
        let refused = try Self.train(["--epochs", "3", "--save", path("mixed.safetensors"), "--resume"] + adam)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("holds the optimizer state of other weights than the ones being resumed"), "\(refused.errors)")
    }

    /// `kill -9` of cnnc while it trains ends the model executable it started
    /// (`ParentWatch`), and the next run removes the data it had staged.
    @Test func killingCNNCEndsItsTrainer() throws {
        try Self.makeMNISTSlice()
        let process = Process()
        // Unwrapped first: assigned straight to the optional property, #require would check nothing.
        let executable = try #require(CommandLineTests.executable)
        process.executableURL = executable
        process.arguments = ["train", "Specs/lenet5.cnn.yaml", "--data", "npz:\(Self.mnistSlice)", "--epochs", "500",
                             "--save", Self.folder.appendingPathComponent("killed.safetensors").path]
        process.currentDirectoryURL = RepositoryFiles.root
        process.environment = CommandLineTests.environment(Self.environment)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let parent = process.processIdentifier
        // The trainer is the child whose command line is `… job`, once the model is built.
        var trainer: Int32?
        for _ in 0..<1200 where trainer == nil {
            trainer = ProcessTable.children(of: parent).first { ProcessTable.commandLine($0).last == "job" }
            if trainer == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let child = try #require(trainer, "cnnc train never started its model executable")
        let staged = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("cnnc-data-\(parent)-") }
        #expect(staged.count == 1)
        kill(parent, SIGKILL)
        process.waitUntilExit()
        var alive = true
        for _ in 0..<40 where alive {
            Thread.sleep(forTimeInterval: 0.1)
            alive = ProcessTable.isRunning(child)
        }
        #expect(!alive, "the trainer kept running after cnnc was killed")
        if alive { kill(child, SIGKILL) }
        // The next run removes the folder the killed cnnc could not.
        #expect(try Self.train(["--epochs", "1"]).status == 0)
        for name in staged {
            #expect(!FileManager.default.fileExists(atPath: (NSTemporaryDirectory() as NSString).appendingPathComponent(name)), "\(name) was left behind")
        }
    }
}

/// Linux's process table, read from /proc.
enum ProcessTable {
    /// The processes whose parent is `parent`.
    static func children(of parent: Int32) -> [Int32] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return ids.filter { field(4, of: $0) == "\(parent)" }
    }

    /// A process that exists and is not a zombie waiting to be reaped.
    static func isRunning(_ process: Int32) -> Bool {
        guard let state = field(3, of: process) else { return false }
        return state != "Z" && state != "X"
    }

    static func commandLine(_ process: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(process)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Field `index` ≥ 3 (1-based, as proc(5) numbers them: 3 the state, 4
    /// the parent) of /proc/PID/stat; the command name in parentheses before
    /// them may hold spaces, so fields count from its end.
    private static func field(_ index: Int, of process: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(process)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        return rest.dropFirst(index - 3).first.map(String.init)
    }
}
