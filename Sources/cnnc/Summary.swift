import ArgumentParser
import CNNCCore
import CNNCData

/// `cnnc summary SPEC`: Keras's `model.summary()` table for a spec.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a spec's layers, output shapes and parameter counts as Keras's model.summary() does.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: ModelArgument.help)
    var spec: String

    @Option(help: "Total width of the table (Keras's default: 88, less on a narrow terminal, 76 when not a terminal).")
    var lineLength: Int?

    @Flag(help: "Add a column of FLOPs per sample (2 x multiply-adds) and their total.")
    var flops = false

    @Flag(help: "Add a column of activation bytes per sample and the peak.")
    var memory = false

    /// A table wider than this is no table to read (and 10^8 columns took 5.6 GB to draw).
    static let longestLine = 10_000

    func validate() throws {
        if let lineLength, lineLength > Self.longestLine {
            throw ValidationError("--line-length \(lineLength) is wider than a summary table can be read; use at most \(Self.longestLine)")
        }
    }

    @Option(help: "text (Keras's table) or json (the whole checked model, for machines).")
    var format: Format = .text

    func run() throws {
        let model = try Diagnostics.loadOrExit(spec)
        switch format {
        case .json:
            print(ModelJSON.encode(model), terminator: "")
        case .text:
            let length = lineLength ?? KerasSummary.defaultLineLength(terminalColumns: Terminal.columns(), sequentialLike: model.isSequentialLike)
            var summary = KerasSummary(lineLength: length, showFLOPs: flops, showMemory: memory)
            // A trained model's `.keras` file keeps its optimizer's state, which Keras's summary of the loaded model counts.
            summary.optimizer = ModelWeights.kerasOptimizerState(in: spec)
            do {
                print(try summary.render(model), terminator: "")
            } catch {
                throw ValidationError(error.description)
            }
            if memory {
                // What the generated code really allocates, from the plan.
                print(ModelPlanner.plan(model, specPath: spec, target: try TargetChoice.resolve()).arenaSummaryLine)
            }
        }
    }
}
