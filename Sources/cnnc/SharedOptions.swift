import ArgumentParser
import CNNCData
import CNNCRuntime
import Foundation

/// `--threads`, for every command that runs a model.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads that share each batch.")
    var threads: Int = 1

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
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
            guard FileManager.default.isFolder(path) == false else {
                throw ValidationError("\(path): no such file (--data \(data) reads a numpy .npz archive)")
            }
        case .builtin:
            break
        }
    }
}

/// `--loss`, for the commands that report a loss.
struct LossOption: ParsableArguments {
    @Option(help: "categorical_crossentropy (sparse_categorical_crossentropy), binary_crossentropy or mean_squared_error (mse); by default the one the output activation implies.")
    var loss: String?

    func validate() throws { _ = try function() }

    /// The loss named, or nil for the one the output activation implies.
    func function() throws -> LossFunction? {
        try loss.map { name in try RuntimeCheck.asValidation { () throws(RuntimeError) in try LossFunction(named: name) } }
    }
}

/// The runtime's and the training library's checks, reported as argument errors.
enum RuntimeCheck {
    static func asValidation<Value>(_ check: () throws(RuntimeError) -> Value) throws -> Value {
        do throws(RuntimeError) { return try check() } catch { throw ValidationError(error.message) }
    }
}
