import Foundation

/// How much memory the Swift compiler takes for a generated model, from the
/// length of its source, so that a model too deep to compile on this machine
/// is refused before the compiler starts, not killed by the kernel after
/// minutes (a 2,000-layer spec once grew `swift-frontend` to 24 GB).
///
/// Measured with `Benchmarks/compile/depth.sh` (Swift 6.3.1, `-O`, as cnnc
/// builds models): 0.37 GB for 9,644 lines, 0.97 GB for 37,376, 1.77 GB for
/// 74,290 and 3.38 GB for 148,118, about 22 KB a line. The estimate takes
/// 28 KB a line over a base of 0.3 GB, so it errs on the side of saying too
/// much; other layer kinds than a deep chain's may take more a line.
public enum CompilerMemory {
    static let baseBytes = 300 << 20
    static let bytesPerLine = 28 << 10

    /// The compiler's peak memory for `lines` of generated Swift, in bytes.
    public static func estimate(lines: Int) -> Int {
        let (perLines, overflow) = lines.multipliedReportingOverflow(by: bytesPerLine)
        return overflow ? Int.max : perLines.addingReportingOverflow(baseBytes).partialValue
    }

    /// Why a model of `lines` generated lines cannot compile on a machine of
    /// `physicalMemory` bytes; nil when it can.
    public static func gap(model: String, lines: Int, physicalMemory: UInt64) -> String? {
        let needed = estimate(lines: lines)
        guard UInt64(needed) > physicalMemory else { return nil }
        return "\(model) is \(ModelBuilder.grouped(lines)) lines of generated Swift, which the Swift compiler needs about \(gigabytes(needed)) to compile, more than this machine's \(gigabytes(Int(clamping: physicalMemory))) of memory; compile it on a machine with more memory (cnnc build writes the package to build there), or make the model shallower"
    }

    static func gigabytes(_ bytes: Int) -> String {
        let value = Double(bytes) / Double(1 << 30)
        return value < 10 ? "\((value * 10).rounded() / 10) GB" : "\(Int(value.rounded())) GB"
    }
}

extension ModelPackage {
    /// The lines of the generated model's Swift, in all its files.
    public var generatedLines: Int {
        generatedFiles.reduce(0) { lines, file in file.text.utf8.reduce(lines) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
    }

    /// Refuses, before the compiler starts, a package too large to compile in this machine's memory.
    public func checkCompilesHere() throws(BuildError) {
        if let gap = CompilerMemory.gap(model: typeName, lines: generatedLines, physicalMemory: ProcessInfo.processInfo.physicalMemory) {
            throw BuildError(gap)
        }
    }
}
