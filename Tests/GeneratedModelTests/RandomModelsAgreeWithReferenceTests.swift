import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation
import RandomModels
import Testing

/// 100 random small specs (every layer kind, odd and even sizes, strides,
/// dilations, both paddings, channel counts on and off the SIMD widths):
/// the generated code computes what the reference computes.
@Suite struct RandomModelsAgreeWithReferenceTests {
    @Test func everyRandomModelAgrees() throws {
        #expect(RandomModels.models.count == 100)
        for (index, entry) in RandomModels.models.enumerated() {
            try ZooAgreesWithReferenceTests.check(entry.type, spec: entry.spec, seed: UInt64(1000 + index))
        }
    }
}
