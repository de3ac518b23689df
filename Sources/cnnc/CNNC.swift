import ArgumentParser
import CNNCCore

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
}
