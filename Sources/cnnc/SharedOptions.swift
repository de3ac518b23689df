import ArgumentParser
import CNNCCore
import CNNCData
import CNNCRuntime
import Foundation

/// `--threads`, for every command that runs a model.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads that share each batch.")
    var threads: Int = 1

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        // Each thread gets its own scratch arena; far more threads than cores only costs memory and time.
        let most = 1024
        if threads > most {
            throw ValidationError("--threads \(threads) is more than cnnc runs (at most \(most)); this machine has \(ProcessInfo.processInfo.activeProcessorCount) cores")
        }
    }
}

/// `--data`, for the commands that read a data set.
struct DataOption: ParsableArguments {
    @Option(help: "mnist:DIR, fashion-mnist:DIR, npz:FILE or builtin.")
    var data: String?

    /// Said before the model is compiled (half a minute), not after: the form,
    /// and that its folder or file is there. Reading it comes later.
    func validate() throws {
        guard let data else { return }
        let source: DatasetSource
        do throws(DataError) { source = try DatasetSource(parsing: data) } catch { throw ValidationError(error.message) }
        switch source {
        case .mnist(let directory), .fashionMNIST(let directory):
            guard FileManager.default.isFolder(directory) == true else {
                throw ValidationError("\(directory): no such directory (--data \(data) reads the four IDX files of a folder)")
            }
        case .npz(let path):
            switch FileManager.default.isFolder(path) {
            case true?: throw ValidationError("\(path): a directory, not a file (--data \(data) reads a numpy .npz archive)")
            case nil: throw ValidationError("\(path): no such file (--data \(data) reads a numpy .npz archive)")
            case false?: break
            }
        case .builtin:
            break
        }
    }
}

/// The model argument every command that builds or reads one takes.
enum ModelArgument {
    static let help = ArgumentHelp("The model: a spec (.yaml, .json), a Keras model.to_json() file, or a Keras .keras or .h5 file (which bring their weights).")
}

/// `--loss`, for the commands that report a loss.
struct LossOption: ParsableArguments {
    @Option(help: "categorical_crossentropy (sparse_categorical_crossentropy), binary_crossentropy or mean_squared_error (mse); by default the one the output activation implies. A model of several outputs takes one per output by name, e.g. class_head=categorical_crossentropy,score_head=mse (one name alone applies to every output).")
    var loss: String?

    @Option(help: "A model of several outputs: each output's weight in the total loss, by name, e.g. class_head=1,score_head=0.5 (1 when not given), as Keras's loss_weights.")
    var lossWeights: String?

    func validate() throws {
        _ = try function()
        _ = try outputLosses()
        _ = try weights()
    }

    /// The loss named for every output, or nil for the one the output activation implies (or for losses by output).
    func function() throws -> LossFunction? {
        guard let loss, !loss.contains("=") else { return nil }
        return try RuntimeCheck.asValidation { () throws(RuntimeError) in try LossFunction(named: loss) }
    }

    /// The losses for `model`: one output's named loss (`--loss head=mse`,
    /// as a model of several takes them) is its loss, like `--loss mse`.
    func losses(for model: CheckedModel) throws -> (loss: LossFunction?, byOutput: [String: LossFunction]) {
        let byOutput = try outputLosses()
        if model.outputs.count == 1, let only = byOutput.values.first { return (only, [:]) }
        return (try function(), byOutput)
    }

    /// `name=loss,…`: the loss of each output named.
    func outputLosses() throws -> [String: LossFunction] {
        guard let loss, loss.contains("=") else { return [:] }
        return try Self.assignments(loss, option: "--loss").mapValues { name in
            try RuntimeCheck.asValidation { () throws(RuntimeError) in try LossFunction(named: name) }
        }
    }

    /// `name=weight,…`.
    func weights() throws -> [String: Float] {
        guard let lossWeights else { return [:] }
        return try Self.assignments(lossWeights, option: "--loss-weights").mapValues { text in
            guard let weight = Float(text), weight.isFinite, weight >= 0 else {
                throw ValidationError("--loss-weights: '\(text)' is not a weight; give a number of at least 0, e.g. class_head=1,score_head=0.5")
            }
            return weight
        }
    }

    /// Comma-separated `name=value` pairs, each name once.
    static func assignments(_ text: String, option: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else {
                throw ValidationError("\(option): '\(part)' is not NAME=VALUE; give each output as NAME=VALUE, separated by commas")
            }
            guard result[pieces[0]] == nil else { throw ValidationError("\(option): the output '\(pieces[0])' is given twice") }
            result[pieces[0]] = pieces[1]
        }
        return result
    }

    /// Said before a build: every output named is one of the model's.
    func check(against model: CheckedModel) throws {
        let names = model.outputLayout.slots.map(\.name)
        let given = try Array(outputLosses().keys) + Array(weights().keys)
        if let unknown = given.sorted().first(where: { !names.contains($0) }) {
            throw ValidationError("the model has no output '\(unknown)'; its outputs are \(names.map { "'\($0)'" }.joined(separator: ", "))")
        }
        if names.count == 1, lossWeights != nil {
            throw ValidationError("--loss-weights weighs the outputs of a model of several; this one has one, '\(names[0])'")
        }
        // Said before a build: every output of several has a loss, named or implied.
        guard names.count > 1, try function() == nil else { return }
        let named = try outputLosses()
        for (slot, activation) in zip(model.outputLayout.slots, model.outputActivations) where named[slot.name] == nil {
            guard ModelLoss.implied(byActivation: activation.rawValue, values: slot.shape.elementCount) == nil else { continue }
            throw ValidationError("the output '\(slot.name)' ends in '\(activation.rawValue)', so no loss is implied; name it, as Keras's compile takes a loss per output: --loss \(slot.name)=mean_squared_error (or categorical_crossentropy, binary_crossentropy)")
        }
    }
}

/// The runtime's and the training library's checks, reported as argument errors.
enum RuntimeCheck {
    static func asValidation<Value>(_ check: () throws(RuntimeError) -> Value) throws -> Value {
        do throws(RuntimeError) { return try check() } catch { throw ValidationError(error.message) }
    }
}
