import ArgumentParser
import CNNCRuntime
import CNNCTraining
import Foundation

/// `cnnc plot HISTORY.csv -o curves.svg`: a training history (what `cnnc
/// train` writes, in Keras's CSVLogger layout) drawn as loss and accuracy
/// curves, as Keras users plot `history.history`.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a training history (CSV) as loss and accuracy curves per epoch, as SVG.")

    @Argument(help: "A history CSV written by cnnc train (epoch,accuracy,loss[,val_accuracy,val_loss],seconds).")
    var history: String

    @Option(name: [.short, .long], help: "The SVG file to write (replaced as a whole); without it, standard output.")
    var output: String?

    func run() throws {
        let rows: TrainingHistory
        do {
            rows = try TrainingHistory(csvAt: history)
        } catch {
            throw ValidationError(error.description)
        }
        guard !rows.rows.isEmpty else { throw ValidationError("\(history): the history has no epochs to draw") }
        let title = URL(fileURLWithPath: history).deletingPathExtension().lastPathComponent
        let svg = TrainingCurves.svg(rows, title: title)
        try TextOutput.write(svg, to: output)
    }
}
