import Foundation

/// Numbers as Keras prints them in a summary.
enum Formatting {
    /// Python's `f"{n:,}"`: `5615553` → `5,615,553`.
    static func thousands(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return number < 0 ? "-" + result : result
    }

    /// Keras's `readable_memory_size`: divide by 1024 while the result is at
    /// least 1, then two decimals: `136.04 KB`, `0.00 B`.
    static func bytes(_ count: Int) -> String {
        scaled(Double(count), units: ["B", "KB", "MB", "GB", "TB", "PB"], scale: 1024)
    }

    /// The same scaling in thousands, for operation counts: `1.70 MFLOPs`.
    static func flops(_ count: Int) -> String {
        scaled(Double(count), units: ["FLOPs", "KFLOPs", "MFLOPs", "GFLOPs", "TFLOPs", "PFLOPs"], scale: 1000)
    }

    private static func scaled(_ value: Double, units: [String], scale: Double) -> String {
        var value = value
        for unit in units {
            if value / scale < 1 { return String(format: "%.2f", value) + " " + unit }
            value /= scale
        }
        return String(format: "%.2f", value) + " " + units[units.count - 1]
    }
}
