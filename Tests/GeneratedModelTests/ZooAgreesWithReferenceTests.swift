import CNNCCore
import CNNCRuntime
import CNNCTraining
import CNNCZoo
import Foundation
import Testing

/// Every generated model in Specs/ computes what the plain reference computes,
/// with random weights (nonzero biases, BatchNormalization statistics) and inputs.
@Suite struct ZooAgreesWithReferenceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// |generated − reference| ≤ 1e-5 · max(1, largest |reference| output).
    static let tolerance = 1e-5

    static func check<Model: CompiledModel>(_ type: Model.Type, spec: String, seed: UInt64) throws {
        let checked = try Frontend.load(path: repository.appendingPathComponent(spec).path).get()
        var generator = SplitMix64(seed: seed)
        let parameters = randomParameters(for: Model.self, generator: &generator, seed: seed)
        let model = try Model(parameters: parameters)
        var tensors: [String: [Double]] = [:]
        for tensor in Model.weightLayout {
            tensors[tensor.name] = parameters[tensor.offset..<(tensor.offset + tensor.count)].map(Double.init)
        }
        let reference = ReferenceNetwork(model: checked, tensors: tensors)
        for _ in 0..<2 {
            let input = (0..<Model.inputCount).map { _ in Float(generator.nextUnit()) }
            let expected = reference.outputs(input)
            let got = try model.predict(input)
            #expect(got.count == expected.count)
            let scale = max(1, expected.map(abs).max() ?? 0)
            let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= tolerance * scale, "\(spec): worst difference \(worst) at output scale \(scale)")
        }
        try checkBatchPaths(model, spec: spec, generator: &generator)
    }

    /// A batch runs in blocks of `blockSamples` and the rest one by one, and
    /// a single sample runs with its larger layers split across threads; all
    /// must give the bits `predict` gives sample by sample.
    static func checkBatchPaths<Model: CompiledModel>(_ model: Model, spec: String, generator: inout SplitMix64) throws {
        let count = 2 * max(Model.blockSamples, 1) + 3
        let batch = (0..<(count * Model.inputCount)).map { _ in Float(generator.nextUnit()) }
        var oneByOne: [Float] = []
        for sample in 0..<count {
            oneByOne += try model.predict(Array(batch[(sample * Model.inputCount)..<((sample + 1) * Model.inputCount)]))
        }
        #expect(try model.predict(batch: batch, threads: 1) == oneByOne, "\(spec): blocks on one thread")
        #expect(try model.predict(batch: batch, threads: 2) == oneByOne, "\(spec): blocks on two threads")
        #expect(try model.predict(batch: Array(batch.prefix(Model.inputCount)), threads: 2) == Array(oneByOne.prefix(Model.outputCount)),
                "\(spec): one sample split across two threads")
        // Observing every layer runs the unfused kernels (EpilogueFusion): the same bits.
        let arena = ModelArena(count: Model.arenaCount)
        var observed = [Float](repeating: .nan, count: Model.outputCount)
        var observedLayers = 0
        batch.withUnsafeBufferPointer { source in
            observed.withUnsafeMutableBufferPointer { target in
                model.predict(source.baseAddress!, into: target.baseAddress!, arena: arena.pointer, observingLayers: { _, _ in observedLayers += 1 })
            }
        }
        #expect(observed == Array(oneByOne.prefix(Model.outputCount)), "\(spec): observing every layer")
        #expect(observedLayers == Model.layers.count, "\(spec): every layer observed")
        for (threads, samples) in [(2, 1), (3, 1), (3, 2)] {
            let predictor = BatchPredictor(model: model, threads: threads)
            var split = [Float](repeating: .nan, count: samples * Model.outputCount)
            try batch.withUnsafeBufferPointer { source in
                try split.withUnsafeMutableBufferPointer { target in try predictor.predict(batch: source, count: samples, into: target) }
            }
            #expect(split == Array(oneByOne.prefix(samples * Model.outputCount)), "\(spec): \(samples) split across \(threads) threads")
        }
    }

    /// Keras-initialized kernels, and biases and BatchNormalization statistics
    /// away from their zero/one defaults so every term of a layer matters.
    static func randomParameters<Model: CompiledModel>(for type: Model.Type, generator: inout SplitMix64, seed: UInt64? = nil) -> [Float] {
        var parameters = KerasInitializers.parameters(for: Model.weightLayout, count: Model.parameterCount, seed: seed ?? generator.next())
        for tensor in Model.weightLayout {
            let kind = tensor.name.split(separator: ".").last!
            for index in tensor.offset..<(tensor.offset + tensor.count) {
                let unit = Float(generator.nextUnit())
                switch kind {
                case "bias", "beta", "moving_mean", "mean": parameters[index] = unit - 0.5
                case "gamma", "moving_variance", "variance": parameters[index] = 0.5 + 1.5 * unit
                // PReLU's slopes: 0 (Keras's initial value) would hide alpha·dy in dL/dx.
                case "alpha": parameters[index] = 0.05 + 0.45 * unit
                default: break
                }
            }
        }
        return parameters
    }

    @Test func toyConvNet() throws { try Self.check(ToyConvnet.self, spec: "Specs/toy_convnet.cnn.yaml", seed: 1) }
    @Test func lenet5() throws { try Self.check(Lenet5.self, spec: "Specs/lenet5.cnn.yaml", seed: 2) }
    @Test func mnistConvNet() throws { try Self.check(MnistConvnet.self, spec: "Specs/mnist_convnet.cnn.yaml", seed: 3) }
    @Test func catsVsDogs() throws { try Self.check(CatsVsDogs.self, spec: "Specs/cats_vs_dogs.cnn.yaml", seed: 4) }
    @Test func harConv1D() throws { try Self.check(HarConv1d.self, spec: "Specs/har_conv1d.cnn.yaml", seed: 10) }
    @Test func seedExamples() throws {
        try Self.check(SeedEdge6x6.self, spec: "Specs/seed_edge_6x6.cnn.yaml", seed: 5)
        try Self.check(SeedPadding6x6.self, spec: "Specs/seed_padding_6x6.cnn.yaml", seed: 6)
        try Self.check(SeedStrided7x7.self, spec: "Specs/seed_strided_7x7.cnn.yaml", seed: 7)
        try Self.check(SeedVolume2Filters.self, spec: "Specs/seed_volume_2_filters.cnn.yaml", seed: 8)
        try Self.check(SeedVolume10Filters.self, spec: "Specs/seed_volume_10_filters.cnn.yaml", seed: 9)
    }
}
