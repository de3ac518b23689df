import CNNCRuntime
import Foundation

/// Keras's progress bar for one epoch:
///
///     1688/1688 ━━━━━━━━━━━━━━━━━━━━ 12s 7ms/step - accuracy: 0.9512 - loss: 0.1621 - val_accuracy: 0.9797 - val_loss: 0.0661
///
/// while running it shows the ETA instead of the elapsed time. On a terminal
/// the line is redrawn in place; otherwise only the finished line is printed,
/// so a log file gets one line per epoch.
public struct ProgressLine: Sendable {
    public static let barWidth = 20

    public static func text(step: Int, steps: Int, elapsed: Double, metrics: [(String, Double)], finished: Bool) -> String {
        let width = String(steps).count
        let done = steps == 0 ? barWidth : barWidth * step / steps
        let bar = String(repeating: "━", count: done) + String(repeating: "─", count: barWidth - done)
        let perStep = step == 0 ? 0 : elapsed / Double(step)
        let time = finished ? duration(elapsed) : "ETA " + duration(perStep * Double(steps - step))
        let values = metrics.map { " - \($0.0): \(String(format: "%.4f", $0.1))" }.joined()
        let stepNumber = String(repeating: " ", count: width - String(step).count) + String(step)
        return "\(stepNumber)/\(steps) \(bar) \(time) \(stepTime(perStep))/step\(values)"
    }

    /// `12s`, `1m 05s`; under a second `0s` as Keras prints.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole)s" : "\(whole / 60)m \(String(format: "%02d", whole % 60))s"
    }

    static func stepTime(_ seconds: Double) -> String {
        if seconds >= 1 { return "\(Int(seconds.rounded()))s" }
        if seconds >= 1e-3 { return "\(Int((seconds * 1e3).rounded()))ms" }
        return "\(Int((seconds * 1e6).rounded()))us"
    }
}
