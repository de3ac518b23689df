import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation
import CNNCZoo
import RandomModels
import Testing

/// 100 random small specs (every layer kind, odd and even sizes, strides,
/// dilations, both paddings, channel counts on and off the SIMD widths) and
/// nine written by hand (random_100 to 105: one-channel first layers whose
/// pixels and filters share the lanes; random_106: a 1x1 convolution to 4
/// filters split across workers; random_107: Conv1D to 1, 2 and 4 filters in
/// the same lanes; random_108: kernel rows padded by a cache line): the
/// generated code computes what the reference computes.
@Suite struct RandomModelsAgreeWithReferenceTests {
    init() { UnoptimizedTestModels.allowed }

    @Test func everyRandomModelAgrees() throws {
        #expect(RandomModels.models.count == 109)
        for (index, entry) in RandomModels.models.enumerated() {
            try ZooAgreesWithReferenceTests.check(entry.type, spec: entry.spec, seed: UInt64(1000 + index))
        }
    }
}

/// A generated model knows how it was compiled, so an unoptimized build can
/// warn (UnoptimizedBuildWarning): the random models are built with -Onone,
/// the zoo with -O.
@Suite struct CompiledWithOptimizationTests {
    @Test func theFlagFollowsTheBuild() throws {
        let random = try #require(RandomModels.models.first).type
        let randomIsOptimized = random.compiledWithOptimization
        #expect(!randomIsOptimized)
        #expect(Lenet5.compiledWithOptimization)
    }
}
