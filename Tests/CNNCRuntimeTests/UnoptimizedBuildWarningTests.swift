@testable import CNNCRuntime
import Testing

/// A model compiled without optimization says so once, with the fix.
@Suite struct UnoptimizedBuildWarningTests {
    @Test func theWarningNamesTheModelAndBothFixes() {
        let message = UnoptimizedBuildWarning.message(model: "Lenet5")
        #expect(message.hasPrefix("warning: Lenet5 was compiled without optimization"))
        #expect(message.contains("swift build -c release"))
        #expect(message.contains(".unsafeFlags([\"-O\", \"-target-cpu\", \"native\"]), .define(\"CNNC_FMA\")"))
    }
}
