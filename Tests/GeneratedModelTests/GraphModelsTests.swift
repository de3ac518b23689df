import CNNCCore
import CNNCRunner
import CNNCRuntime
import Foundation
import GraphModels
import Testing

/// The compiled graphs of Tests/Fixtures/graphs (Tests/GraphModels): equal to
/// what Keras computed with the same weights and inputs
/// (Tools/keras-fixtures/make_functional_fixtures.py), to the plain Float64
/// reference with random weights, and bit-identical on every batch path.
@Suite struct GraphModelsTests {
    init() { UnoptimizedTestModels.allowed }

    static let cases = GraphModels.models

    static func fixture(_ spec: String) -> String {
        let stem = String(spec.split(separator: "/").last!.split(separator: ".").first!)
        return ZooAgreesWithReferenceTests.repository.appendingPathComponent("Tests/Fixtures/keras/functional/outputs/\(stem)").path
    }

    @Test func everyGraphIsCompiled() {
        let specs = Set(Self.cases.map(\.spec))
        #expect(specs.isSuperset(of: ["Tests/Fixtures/graphs/residual_block.yaml", "Tests/Fixtures/graphs/inception_block.yaml",
                                      "Tests/Fixtures/graphs/squeeze_excite.yaml", "Tests/Fixtures/graphs/merges_one_input.yaml",
                                      "Tests/Fixtures/graphs/two_inputs_two_outputs.yaml", "Tests/Fixtures/graphs/scaled_residual.yaml"]))
    }

    /// Several inputs and outputs are packed one after another, in the
    /// model's order, under their Keras names.
    @Test func severalInputsAndOutputsArePackedByName() throws {
        let type = try #require(Self.cases.first { $0.spec.hasSuffix("two_inputs_two_outputs.yaml") }?.type)
        #expect(type.inputLayout == [TensorLayout(name: "image", shape: [10, 10, 1], offset: 0),
                                     TensorLayout(name: "measurements", shape: [6], offset: 100)])
        #expect(type.outputLayout == [TensorLayout(name: "class_head", shape: [3], offset: 0),
                                      TensorLayout(name: "score_head", shape: [1], offset: 3)])
        #expect(type.inputShape == [106] && type.inputCount == 106 && type.outputShape == [4] && type.outputCount == 4)
    }

    @Test(arguments: cases.map(\.spec))
    func graphMatchesKeras(spec: String) throws {
        let type = Self.cases.first { $0.spec == spec }!.type
        try KerasOutputsTests.compare(type, folder: Self.fixture(spec))
    }

    /// `cnnc verify`'s engine over every node against Keras's per-layer
    /// reference (the outputs fixture's reference.safetensors): the first
    /// layer that differs is named, not only a wrong final output.
    @Test(arguments: cases.map(\.spec))
    func everyLayerAgreesWithKeras(spec: String) throws {
        let type = Self.cases.first { $0.spec == spec }!.type
        try Self.verify(type, folder: Self.fixture(spec))
    }

    static func verify<Model: CompiledModel>(_ type: Model.Type, folder: String) throws {
        let weights = folder + "/weights.safetensors"
        let parameters = try SafeTensors.read(path: weights).parameters(matching: Model.weightLayout, count: Model.parameterCount, path: weights)
        let reference = try ReferenceVectors(contentsOf: folder + "/reference.safetensors", for: Model.self)
        let report = try VerificationReport(model: Model(parameters: parameters), reference: reference)
        #expect(report.passed, "\(folder):\n\(report.text)")
    }

    @Test(arguments: cases.map(\.spec))
    func graphAgreesWithTheReference(spec: String) throws {
        let type = Self.cases.first { $0.spec == spec }!.type
        try ZooAgreesWithReferenceTests.check(type, spec: spec, seed: 5)
    }

    /// The backward pass of every graph (fan-out sums, every merge with its
    /// broadcasting, BatchNormalization phases across branches) against
    /// finite differences of the Float64 reference: all weights and inputs
    /// of the small graphs, a sample of the larger ones. Each probe runs the
    /// reference forward twice over the batch, so a graph past 1 MFLOP a
    /// sample gets fewer probes: small_outputs (17 MFLOPs) took 41 s at 24
    /// a tensor, the longest test of the suite by far; at 4 it still probes
    /// every tensor.
    ///
    /// Not the `confident_` graphs, whose inputs to their heads are scaled by
    /// 30 so that Keras's clip of probabilities acts (TrainingStepAgainstKerasTests
    /// checks that against Keras): there a probability of 1 − 1e-6 leaves its
    /// gradient p − 1 to float32's last bits near 1 (in Keras as here), and
    /// the Float64 reference's finite differences differ by 0.3%.
    @Test(arguments: cases.map(\.spec).filter { !$0.contains("/confident_") })
    func graphGradientsMatchFiniteDifferences(spec: String) throws {
        let type = try #require(Self.cases.first { $0.spec == spec }?.type as? any TrainableModel.Type)
        #expect(type.trainingUnsupportedReason == nil, "\(spec): \(type.trainingUnsupportedReason ?? "")")
        let heavy = type.flops > 1_000_000
        #expect(try GradientCheckTests.check(type, spec: spec, seed: 41, perTensor: heavy ? 4 : 24, inputs: heavy ? 8 : 40),
                "\(spec) did not train")
    }
}
