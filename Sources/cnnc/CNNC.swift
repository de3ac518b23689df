import ArgumentParser
import CNNCCore
import Foundation

/// The `cnnc` command: a thin edge over CNNCCore. Each subcommand finds its
/// files, calls the core, and prints; no model logic lives here.
@main
struct CNNC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnc",
        abstract: "A compiler for Keras-style convolutional network specs.",
        version: CNNCVersion.current,
        subcommands: [Summary.self, Diagram.self, Plot.self, Check.self, Generate.self, Build.self, Predict.self, Verify.self, Train.self, Evaluate.self, Export.self, Bench.self, Cache.self]
    )

    static func main() async {
        // A child (a model executable, dot) that exits before reading all it
        // was sent must give cnnc an error to report, not kill it silently.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let problem as ValidationError {
            // Thrown once the options were read: the problem is in the files
            // or the model, so the usage line would only bury it.
            FileHandle.standardError.write(Data("error: \(problem.message)\n".utf8))
            exit(withError: ExitCode.validationFailure)
        } catch {
            exit(withError: error)
        }
    }
}
