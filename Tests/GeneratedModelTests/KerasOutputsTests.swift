import CNNCCore
import CNNCRuntime
import CNNCTraining
import CNNCZoo
import FixtureModels
import Foundation
import Testing

/// Generated models against outputs computed by real Keras 3 with the same
/// weights and inputs (Tools/keras-fixtures/make_output_fixtures.py made them;
/// its README says how to rerun it). Weights go through the same safetensors
/// path a user's exported Keras model does.
@Suite struct KerasOutputsTests {
    init() { UnoptimizedTestModels.allowed }

    static let repository = ZooAgreesWithReferenceTests.repository
    static let tolerance: Float = 1e-5

    static let cases: [(spec: String, type: any CompiledModel.Type)] = CNNCZoo.models + FixtureModels.models

    static func fixture(_ spec: String) -> String {
        let stem = String(spec.split(separator: "/").last!.split(separator: ".").first!)
        return repository.appendingPathComponent("Tests/Fixtures/keras/outputs/\(stem)").path
    }

    @Test func everyModelHasAKerasFixture() {
        #expect(Self.cases.count >= 20)
        for entry in Self.cases {
            #expect(FileManager.default.fileExists(atPath: Self.fixture(entry.spec) + "/output.npy"), "no Keras outputs for \(entry.spec)")
        }
    }

    @Test(arguments: cases.map(\.spec))
    func generatedModelMatchesKeras(spec: String) throws {
        let type = Self.cases.first { $0.spec == spec }!.type
        try Self.compare(type, folder: Self.fixture(spec))
    }

    static func compare<Model: CompiledModel>(_ type: Model.Type, folder: String) throws {
        let model: Model
        if FileManager.default.fileExists(atPath: folder + "/weights.safetensors") {
            model = try Model(contentsOf: folder + "/weights.safetensors")
        } else {
            model = try Model(parameters: formulaWeights(Model.weightLayout, count: Model.parameterCount))
        }
        let input = try NPYFile.read(path: folder + "/input.npy")
        let expected = try NPYFile.read(path: folder + "/output.npy")
        #expect(try Model.batchCount(of: input, path: folder) == expected.shape[0])
        let got = try model.predict(batch: input.values)
        #expect(got.count == expected.values.count)
        let worst = zip(got, expected.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= tolerance, "\(folder): worst absolute difference from Keras \(worst)")
        var generator = SplitMix64(seed: 11)
        try ZooAgreesWithReferenceTests.checkBatchPaths(model, spec: folder, generator: &generator)
    }

    /// The weights of fixtures too large to commit (weights.formula.txt):
    /// tensor t, flat index i: h = (i·2654435761 + (t+1)·97531) mod 2^32,
    /// value = (h / 2^32 − 0.5) · 2 · s, with s = sqrt(6 / (fan_in + fan_out))
    /// for kernels and 0.1 for biases.
    static func formulaWeights(_ layout: [TensorLayout], count: Int) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        for (t, tensor) in layout.enumerated() {
            let scale: Double
            if tensor.name.hasSuffix(".kernel") {
                let receptive = tensor.shape.dropLast(2).reduce(1, *)
                let fans = receptive * tensor.shape[tensor.shape.count - 2] + receptive * tensor.shape[tensor.shape.count - 1]
                scale = (6.0 / Double(fans)).squareRoot()
            } else {
                scale = 0.1
            }
            for i in 0..<tensor.count {
                let h = (UInt64(i) &* 2_654_435_761 &+ UInt64(t + 1) &* 97_531) % 4_294_967_296
                values[tensor.offset + i] = Float((Double(h) / 4_294_967_296.0 - 0.5) * 2.0 * scale)
            }
        }
        return values
    }
}
