import CNNCRunner
import CNNCRuntime
import CNNCTraining
import CNNCZoo
import FixtureModels
import Foundation
import Testing

/// `cnnc verify`'s engine, in process: every zoo and fixture model against the
/// per-layer reference that real Keras wrote (Tools/keras-fixtures/
/// make_output_fixtures.py, through the exporter's --reference code), and the
/// reports a user gets when something is wrong.
@Suite struct VerifyAgainstKerasTests {
    init() { UnoptimizedTestModels.allowed }

    static let cases = KerasOutputsTests.cases

    static func weights<Model: CompiledModel>(_ type: Model.Type, folder: String) throws -> [Float] {
        let path = folder + "/weights.safetensors"
        guard FileManager.default.fileExists(atPath: path) else {
            return KerasOutputsTests.formulaWeights(Model.weightLayout, count: Model.parameterCount)
        }
        return try SafeTensors.read(path: path).parameters(matching: Model.weightLayout, count: Model.parameterCount, path: path)
    }

    static func report<Model: CompiledModel>(_ type: Model.Type, spec: String, change: (inout [Float]) -> Void = { _ in }) throws -> VerificationReport {
        let folder = KerasOutputsTests.fixture(spec)
        var parameters = try weights(type, folder: folder)
        change(&parameters)
        let reference = try ReferenceVectors(contentsOf: folder + "/reference.safetensors", for: Model.self)
        return try VerificationReport(model: Model(parameters: parameters), reference: reference)
    }

    static func report(spec: String, change: (inout [Float]) -> Void = { _ in }) throws -> VerificationReport {
        let type = cases.first { $0.spec == spec }!.type
        return try report(type, spec: spec, change: change)
    }

    @Test(arguments: cases.map(\.spec))
    func everyLayerAgreesWithKeras(spec: String) throws {
        let report = try Self.report(spec: spec)
        #expect(report.passed, "\(spec):\n\(report.text)")
        #expect(report.origin?.contains("keras 3.") == true)
        #expect(report.text.hasSuffix("verify: all \(report.comparisons.count) layers agree with the reference\n"))
    }

    /// One weight changed on purpose: the report names that layer, not a later one.
    @Test(arguments: [
        ("Specs/lenet5.cnn.yaml", "conv2d_1.kernel", "conv2d_1 (Conv2D)"),
        ("Specs/lenet5.cnn.yaml", "dense_1.kernel", "dense_1 (Dense)"),
        ("Tests/Fixtures/specs/batchnorm_inference.yaml", "batch_normalization_1.gamma", "batch_normalization_1 (BatchNormalization)"),
        ("Tests/Fixtures/specs/reshape_rescale.yaml", "normalization_3.variance", "normalization_3 (Normalization)"),
    ])
    func aPerturbedWeightIsFoundAtItsLayer(spec: String, tensor: String, layer: String) throws {
        let type = Self.cases.first { $0.spec == spec }!.type
        let offset = try #require(type.weightLayout.first { $0.name == tensor }).offset
        let report = try Self.report(spec: spec) { $0[offset + 1] += 0.5 }
        #expect(!report.passed)
        #expect(report.verdict.hasPrefix("verify: first divergent layer: \(layer): "), "\(report.text)")
        #expect(!report.verdict.contains("different weights"))
        let first = try #require(report.firstDivergence)
        guard case .valuesDiffer(let count) = first.outcome else { Issue.record("\(first.outcome)"); return }
        #expect(count > 0 && count < first.elementCount)
        // Every layer before it still agrees.
        let position = try #require(report.comparisons.firstIndex { !$0.agrees })
        #expect(report.comparisons[position].layer.name + " (" + report.comparisons[position].layer.className + ")" == layer)
    }

    @Test func differentWeightsAreCalledThat() throws {
        let report = try Self.report(spec: "Specs/lenet5.cnn.yaml") { parameters in
            parameters = KerasInitializers.parameters(for: Lenet5.weightLayout, count: Lenet5.parameterCount, seed: 7)
        }
        #expect(report.verdict.hasPrefix("verify: first divergent layer: conv2d (Conv2D): "))
        #expect(report.verdict.contains("the reference was probably made with different weights"))
    }

    @Test func aReferenceFromAnotherModelIsCalledThat() throws {
        let lenet = KerasOutputsTests.fixture("Specs/lenet5.cnn.yaml") + "/reference.safetensors"
        #expect(throws: RuntimeError.self) { try ReferenceVectors(contentsOf: lenet, for: ToyConvnet.self) }
        do {
            _ = try ReferenceVectors(contentsOf: lenet, for: ToyConvnet.self)
        } catch {
            #expect(error.message.contains("the reference is from another model: its inputs have shape (3, 28, 28, 1)"))
        }
        // Same input shape, other layers: MNIST convnet against LeNet-5's reference.
        do {
            _ = try ReferenceVectors(contentsOf: lenet, for: MnistConvnet.self)
            Issue.record("accepted another model's reference")
        } catch {
            #expect(error.message.contains("the reference is from another model (its layer names differ)"), "\(error.message)")
            #expect(error.message.contains("layers missing from the reference: max_pooling2d"))
        }
    }

    @Test func aShapeMismatchShowsBothShapes() throws {
        let folder = KerasOutputsTests.fixture("Specs/lenet5.cnn.yaml")
        var file = try SafeTensors.read(path: folder + "/reference.safetensors")
        file.tensors["dense"] = SafeTensors.Tensor(shape: [3, 100], values: [Float](repeating: 0, count: 300))
        let reference = try ReferenceVectors(tensors: file, for: Lenet5.self)
        let report = try VerificationReport(model: Lenet5(parameters: Self.weights(Lenet5.self, folder: folder)), reference: reference)
        #expect(report.verdict == "verify: the reference is from another model: layer dense (Dense) has output shape (3, 120) here and (3, 100) in the reference")
        #expect(report.text.contains("SHAPE: reference has (3, 100)"))
    }

    @Test func aTruncatedReferenceIsCalledThat() throws {
        let source = KerasOutputsTests.fixture("Specs/lenet5.cnn.yaml") + "/reference.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-truncated-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ReferenceVectors(contentsOf: path, for: Lenet5.self)
            Issue.record("accepted a truncated reference")
        } catch {
            #expect(error.message.contains("the file is truncated"), "\(error.message)")
        }
    }

    @Test func nanIsReportedAsSuch() throws {
        let offset = Lenet5.weightLayout.first { $0.name == "dense.bias" }!.offset
        let report = try Self.report(spec: "Specs/lenet5.cnn.yaml") { $0[offset] = .nan }
        #expect(report.verdict.hasPrefix("verify: first divergent layer: dense (Dense): 3 values are NaN or infinite, first at (0, 0): nan here"), "\(report.verdict)")
    }
}
