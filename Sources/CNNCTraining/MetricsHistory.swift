import CNNCRuntime
import Foundation

/// The history of a model trained on named arrays, one row per epoch, as
/// Keras's `CSVLogger` writes it for a model of several outputs: `epoch`,
/// then every metric in name order (`class_head_loss,loss,score_head_loss,
/// val_class_head_loss,…`), then `seconds`. Rewritten whole, atomically,
/// after every epoch.
public struct MetricsHistory: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var epoch: Int
        public var metrics: [String: Double]
        public var seconds: Double
    }

    public var rows: [Row] = []

    public init(rows: [Row] = []) { self.rows = rows }

    public var csv: String {
        let names = Set(rows.flatMap(\.metrics.keys)).sorted()
        var text = (["epoch"] + names + ["seconds"]).joined(separator: ",") + "\n"
        for row in rows {
            let fields = [String(row.epoch)] + names.map { row.metrics[$0].map(TrainingHistory.number) ?? "" } + [String(format: "%.3f", row.seconds)]
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// A history this type wrote; a resumed run appends to it.
    public init(csvAt path: String) throws(RuntimeError) {
        let (header, lines) = try TrainingHistory.csvLines(at: path)
        guard header.last == "seconds" else {
            throw RuntimeError("\(path): not the history of a model of several outputs (its first line should end with 'seconds')")
        }
        for (number, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count, let epoch = Int(fields[0]), let seconds = Double(fields[fields.count - 1]) else {
                throw RuntimeError("\(path):\(number + 2): not a history row: '\(line)'")
            }
            var metrics: [String: Double] = [:]
            for column in 1..<(header.count - 1) { metrics[header[column]] = Double(fields[column]) }
            rows.append(Row(epoch: epoch, metrics: metrics, seconds: seconds))
        }
    }
}

extension MetricsHistory: ResumableHistory {
    static func epoch(of row: Row) -> Int { row.epoch }
}
