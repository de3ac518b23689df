import Foundation

/// Generated kernels are 100 to 500 times slower without optimization (a
/// debug build: mnist_convnet took 52 ms a sample against 0.11 ms), and
/// nothing else tells a user why. A generated model checks, when it is made,
/// how its own code was compiled, and the first unoptimized one of a process
/// says so once on standard error, with the fix. `CNNC_UNOPTIMIZED_OK=1`
/// silences it where -Onone is meant (cnnc's random test models).
public enum UnoptimizedBuildWarning {
    nonisolated(unsafe) private static var warned = false
    private static let lock = NSLock()

    /// `optimized`: `!_isDebugAssertConfiguration()` evaluated in the generated file.
    public static func check(model: String, optimized: Bool) {
        guard !optimized, ProcessInfo.processInfo.environment["CNNC_UNOPTIMIZED_OK"] == nil else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !warned else { return }
        warned = true
        FileHandle.standardError.write(Data(message(model: model).utf8))
    }

    static func message(model: String) -> String {
        "warning: \(model) was compiled without optimization (a debug build), so it runs 100 to 500 times slower than it can; "
            + "build with `swift build -c release`, or give the target that holds it "
            + "swiftSettings: [.unsafeFlags([\"-O\", \"-target-cpu\", \"native\"]), .define(\"CNNC_FMA\")]\n"
    }
}
