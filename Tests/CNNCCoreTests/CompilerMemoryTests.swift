@testable import CNNCBuild
import Foundation
import Testing

/// A model too large to compile in this machine's memory is refused before
/// the compiler starts: the estimate covers what the compiler was measured
/// to take (`Benchmarks/compile/depth.sh`), and the refusal says why.
@Suite struct CompilerMemoryTests {
    /// Generated lines and the compiler's measured peak, in MB (Swift 6.3.1, -O):
    /// chains of 50, 200, 400 and 800 convolutions.
    static let measured: [(lines: Int, megabytes: Int)] = [(9_644, 365), (37_376, 965), (74_290, 1_773), (148_118, 3_381)]

    @Test func theEstimateCoversEveryMeasurement() {
        for point in Self.measured {
            let estimate = CompilerMemory.estimate(lines: point.lines)
            #expect(estimate >= point.megabytes << 20, "\(point.lines) lines")
            #expect(estimate <= 2 * (point.megabytes << 20), "\(point.lines) lines: the estimate should not be far above the measurement")
        }
        #expect(CompilerMemory.estimate(lines: .max) == .max)
    }

    @Test func aModelThatCannotCompileHereIsRefusedBeforeCompiling() {
        let machine: UInt64 = 24 << 30
        #expect(CompilerMemory.gap(model: "Deep3500", lines: 646_506, physicalMemory: machine) == nil)
        let gap = CompilerMemory.gap(model: "Deep5000", lines: 923_618, physicalMemory: machine)
        #expect(gap == "Deep5000 is 923,618 lines of generated Swift, which the Swift compiler needs about 25 GB to compile, more than this machine's 24 GB of memory; compile it on a machine with more memory (cnnc build writes the package to build there), or make the model shallower")
    }
}
