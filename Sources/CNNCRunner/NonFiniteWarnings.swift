import Foundation

/// Warnings for NaN or infinite values in a batch's inputs or outputs,
/// naming the sample: a prediction of `class 0 (nan)` should never be the
/// first sign that an input was not a number. Weights are refused outright
/// when they are not finite (`SafeTensors`); inputs are the user's to judge,
/// so they are warned about, not refused.
public enum NonFiniteWarnings {
    /// At most this many samples are named; the rest are counted.
    static let shown = 5

    /// One line per sample (of `samples` equal parts of `values`) holding a
    /// value that is not finite, with the first such value and its place.
    public static func lines(_ values: [Float], samples: Int, describing what: (Int) -> String) -> [String] {
        guard samples > 0, values.count % samples == 0 else { return [] }
        let width = values.count / samples
        var lines: [String] = []
        var more = 0
        for sample in 0..<samples {
            let range = (sample * width)..<((sample + 1) * width)
            guard let bad = values[range].firstIndex(where: { !$0.isFinite }) else { continue }
            if lines.count == shown { more += 1; continue }
            lines.append("warning: \(what(sample)) holds \(values[bad]) at value \(bad - range.lowerBound) of \(width)")
        }
        if more > 0 { lines.append("warning: … and \(more) more sample\(more == 1 ? "" : "s")") }
        return lines
    }

    /// Warns on standard error about the inputs (unless the caller already
    /// did, `inputsChecked`), then about outputs that are not finite although
    /// their inputs are (an overflow inside the model).
    static func report(input: [Float], output: [Float], samples: Int, inputPath: String, inputsChecked: Bool = false) {
        let inputLines = lines(input, samples: samples) { "\(inputPath): sample \($0)" }
        let outputLines = inputLines.isEmpty
            ? lines(output, samples: samples) { "the outputs of sample \($0), whose inputs are finite," }
            : []
        let text = ((inputsChecked ? [] : inputLines) + outputLines).map { $0 + "\n" }.joined()
        if !text.isEmpty { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
