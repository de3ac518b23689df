import CNNCRuntime
import Foundation

/// What `fit` returns as `History`, one row per epoch, kept as CSV in the
/// layout of Keras's `CSVLogger` (`epoch,accuracy,loss,val_accuracy,val_loss`;
/// epochs from 0). Rewritten whole after every epoch through a temporary file,
/// so an interrupted run leaves the rows of the epochs it finished.
public struct TrainingHistory: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var epoch: Int
        public var accuracy: Double
        public var loss: Double
        public var validationAccuracy: Double?
        public var validationLoss: Double?
        public var seconds: Double

        public init(epoch: Int, accuracy: Double, loss: Double, validationAccuracy: Double?, validationLoss: Double?, seconds: Double) {
            self.epoch = epoch
            self.accuracy = accuracy
            self.loss = loss
            self.validationAccuracy = validationAccuracy
            self.validationLoss = validationLoss
            self.seconds = seconds
        }
    }

    public var rows: [Row] = []

    public init(rows: [Row] = []) { self.rows = rows }

    public var csv: String {
        let validation = rows.contains { $0.validationLoss != nil }
        var text = "epoch,accuracy,loss" + (validation ? ",val_accuracy,val_loss" : "") + ",seconds\n"
        for row in rows {
            var fields = [String(row.epoch), Self.number(row.accuracy), Self.number(row.loss)]
            if validation { fields += [row.validationAccuracy.map(Self.number) ?? "", row.validationLoss.map(Self.number) ?? ""] }
            fields.append(String(format: "%.3f", row.seconds))
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// A history this type wrote; a resumed run appends to it.
    public init(csvAt path: String) throws(RuntimeError) {
        let (header, lines) = try Self.csvLines(at: path)
        for (number, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let value = { (name: String) -> Double? in header.firstIndex(of: name).flatMap { $0 < fields.count ? Double(fields[$0]) : nil } }
            guard fields.count == header.count, let epoch = Int(fields[0]), let accuracy = value("accuracy"), let loss = value("loss") else {
                throw RuntimeError("\(path):\(number + 2): not a history row: '\(line)'")
            }
            rows.append(Row(epoch: epoch, accuracy: accuracy, loss: loss, validationAccuracy: value("val_accuracy"),
                            validationLoss: value("val_loss"), seconds: value("seconds") ?? 0))
        }
    }

    /// Every digit, as `CSVLogger` writes Python's repr of a float: the
    /// shortest text that reads back as the same Double, so a resumed run
    /// keeps the rows before it exactly (six decimals lost a small loss's digits).
    static func number(_ value: Double) -> String { "\(value)" }

    /// A history file's header fields and its row lines; the header starts with `epoch`.
    static func csvLines(at path: String) throws(RuntimeError) -> (header: [String], rows: [String]) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw RuntimeError("\(path): cannot read the training history") }
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init), header.first == "epoch" else {
            throw RuntimeError("\(path): not a training history (its first line should start with 'epoch')")
        }
        return (header, Array(lines.dropFirst()))
    }
}

/// A per-epoch history a resumed run continues: the rows of the epochs before the one it starts at.
protocol ResumableHistory {
    associatedtype Row
    var rows: [Row] { get set }
    var csv: String { get }
    init(rows: [Row])
    init(csvAt path: String) throws(RuntimeError)
    static func epoch(of row: Row) -> Int
}

extension ResumableHistory {
    /// Rewrites the whole file atomically: an interrupted run leaves the rows of the epochs it finished.
    func write(to path: String) throws(RuntimeError) {
        try AtomicFile.write(Data(csv.utf8), to: path)
    }
}

extension TrainingHistory: ResumableHistory {
    static func epoch(of row: Row) -> Int { row.epoch }
}

extension TrainingConfiguration {
    /// The history a run starts from: empty, or on resume the saved one's rows before `initialEpoch`
    /// (a run stopped while saving may have written one more).
    func startingHistory<History: ResumableHistory>(_ type: History.Type) throws(RuntimeError) -> History {
        guard initialEpoch > 0, let path = history, FileManager.default.fileExists(atPath: path) else { return History(rows: []) }
        var history = try History(csvAt: path)
        history.rows = history.rows.filter { History.epoch(of: $0) < initialEpoch }
        return history
    }
}
