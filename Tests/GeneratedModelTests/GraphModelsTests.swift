import CNNCCore
import CNNCRuntime
import Foundation
import GraphModels
import Testing

/// The compiled graphs of Tests/Fixtures/graphs (Tests/GraphModels): equal to
/// what Keras computed with the same weights and inputs
/// (Tools/keras-fixtures/make_functional_fixtures.py), to the plain Float64
/// reference with random weights, and bit-identical on every batch path.
@Suite struct GraphModelsTests {
    static let cases = GraphModels.models

    static func fixture(_ spec: String) -> String {
        let stem = String(spec.split(separator: "/").last!.split(separator: ".").first!)
        return ZooAgreesWithReferenceTests.repository.appendingPathComponent("Tests/Fixtures/keras/functional/outputs/\(stem)").path
    }

    @Test func theCompilableGraphsAreCompiled() {
        let specs = Set(Self.cases.map(\.spec))
        #expect(specs.isSuperset(of: ["Tests/Fixtures/graphs/residual_block.yaml", "Tests/Fixtures/graphs/inception_block.yaml",
                                      "Tests/Fixtures/graphs/squeeze_excite.yaml", "Tests/Fixtures/graphs/merges_one_input.yaml"]))
    }

    @Test(arguments: cases.map(\.spec))
    func graphMatchesKeras(spec: String) throws {
        let type = Self.cases.first { $0.spec == spec }!.type
        try KerasOutputsTests.compare(type, folder: Self.fixture(spec))
    }

    @Test(arguments: cases.map(\.spec))
    func graphAgreesWithTheReference(spec: String) throws {
        let type = Self.cases.first { $0.spec == spec }!.type
        try ZooAgreesWithReferenceTests.check(type, spec: spec, seed: 5)
    }

    /// Training a graph waits for its backward pass; the model says why, and a chain still trains.
    @Test func graphsSayWhyTheyCannotBeTrainedYet() throws {
        for (spec, type) in Self.cases {
            let trainable = try #require(type as? any TrainableModel.Type)
            if spec.hasSuffix("functional_chain.yaml") {
                #expect(trainable.trainingUnsupportedReason == nil)
            } else {
                #expect(trainable.trainingUnsupportedReason?.contains("trains chains of layers so far") == true, "\(spec)")
            }
        }
    }
}
