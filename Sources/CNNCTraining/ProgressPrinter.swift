import CNNCRuntime
import Foundation

/// Prints training progress: redrawn in place on a terminal (at most ten
/// times a second), one finished line per epoch otherwise.
final class ProgressPrinter {
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastDraw = ContinuousClock.now
    private var started = ContinuousClock.now

    func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func startEpoch() { started = .now; lastDraw = .now }

    var elapsed: Double { Self.seconds(ContinuousClock.now - started) }

    func update(step: Int, steps: Int, metrics: [(String, Double)]) {
        guard isTerminal, ContinuousClock.now - lastDraw >= .milliseconds(100) || step == 1 else { return }
        lastDraw = .now
        let text = ProgressLine.text(step: step, steps: steps, elapsed: elapsed, metrics: metrics, finished: false)
        FileHandle.standardOutput.write(Data(("\r" + text + "\u{1B}[K").utf8))
    }

    func finishEpoch(steps: Int, metrics: [(String, Double)]) {
        let text = ProgressLine.text(step: steps, steps: steps, elapsed: elapsed, metrics: metrics, finished: true)
        FileHandle.standardOutput.write(Data(((isTerminal ? "\r" : "") + text + (isTerminal ? "\u{1B}[K" : "") + "\n").utf8))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
