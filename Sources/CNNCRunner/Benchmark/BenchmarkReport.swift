import CNNCRuntime
import CNNCTraining
import Foundation

/// What `Runner bench` prints: a table for people, then one JSON line for
/// scripts (the peer benchmark reads it), always the last line.
public struct BenchmarkReport: Sendable {
    public var name: String
    public var options: BenchmarkOptions
    public var statistics: BenchmarkStatistics
    /// Seconds spent warming up before the timed runs.
    public var warmUpSeconds: Double

    public var text: String {
        let batch = statistics.batchSize
        let weights = options.weights.map { "weights \($0)" } ?? "Keras-default weights (seed \(options.seed))"
        var lines = [
            "\(name): batch \(batch), \(options.threads) thread\(options.threads == 1 ? "" : "s"), \(options.mode == .training ? "training steps (SGD; FLOPs = 3 x forward)" : "inference"), \(weights), inputs uniform in [0, 1)",
            "on \(Self.cpuModel)" + (options.kernels.map { ", kernels shaped for \($0)" } ?? ""),
            "\(statistics.samples.count) timed batches in \(Self.duration(statistics.samples.reduce(0, +))) after \(Self.duration(warmUpSeconds)) of warm-up",
            "         per batch    per image",
        ]
        for (label, p) in [("median", 50.0), ("p10", 10), ("p90", 90)] {
            let seconds = statistics.percentile(p)
            lines.append(label.padding(toLength: 6, withPad: " ", startingAt: 0)
                + Self.duration(seconds).leftPadded(to: 13) + Self.duration(seconds / Double(batch)).leftPadded(to: 13))
        }
        lines.append("images/s  " + Self.grouped(statistics.imagesPerSecond))
        lines.append("GFLOP/s   " + String(format: "%.2f", statistics.gigaflopsPerSecond) + " (\(Self.grouped(Double(statistics.flopsPerSample))) FLOPs per image)")
        return lines.joined(separator: "\n") + "\n" + json + "\n"
    }

    /// One JSON object on one line: the keys `cnnc bench` promises, then extras.
    public var json: String {
        let fields: [(String, String)] = [
            ("model", Self.jsonString(name)),
            ("batch", String(statistics.batchSize)),
            ("threads", String(options.threads)),
            ("mode", Self.jsonString(options.mode.rawValue)),
            ("median_ms", Self.number(statistics.median * 1e3)),
            ("images_per_s", Self.number(statistics.imagesPerSecond)),
            ("gflops", Self.number(statistics.gigaflopsPerSecond)),
            ("p10_ms", Self.number(statistics.percentile(10) * 1e3)),
            ("p90_ms", Self.number(statistics.percentile(90) * 1e3)),
            ("flops_per_image", String(statistics.flopsPerSample)),
            ("iterations", String(statistics.samples.count)),
            ("cpu", Self.jsonString(Self.cpuModel)),
        ] + (options.kernels.map { [("kernels", Self.jsonString($0))] } ?? [])
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// The CPU's model name from /proc/cpuinfo, so a figure always says where it came from.
    static let cpuModel: String = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "an unknown CPU"
    }()

    /// Six significant digits: timing noise is far larger, and `%g` is valid JSON for finite values.
    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : "null"
    }

    static func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }

    /// A duration in the unit that keeps three or four significant digits readable.
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1e-6: String(format: "%.0f ns", seconds * 1e9)
        case ..<1e-3: String(format: "%.2f µs", seconds * 1e6)
        case ..<1: String(format: "%.3f ms", seconds * 1e3)
        default: String(format: "%.2f s", seconds)
        }
    }

    /// A whole number with thousands separators (25,934), as the summary prints counts.
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (index, digit) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return String(result.reversed())
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
