import CNNCCore
import CNNCRuntime
import CNNCTraining
import CNNCZoo
import FixtureModels
import Foundation
import RandomModels
import Testing

/// The generated backward pass against central finite differences of the loss,
/// computed in Float64 through the plain reference network (with Dropout's
/// training-mode masks drawn as the generated code draws them).
///
/// Tolerance: |generated − numerical| ≤ 1e-4 · scale + 1e-3 · |numerical|,
/// scale = the largest |numerical| gradient checked in that model (at least
/// 1e-3). Float32 accumulation errs by about 1e-6 relative; a wrong term errs
/// by a large fraction of the gradient.
@Suite struct GradientCheckTests {
    init() { UnoptimizedTestModels.allowed }

    /// The finite-difference step, in Float64.
    static let step = 1e-5

    /// Checks `perTensor` entries of every weight tensor (first, last, and
    /// random ones between) and `inputs` input elements; nil checks them all.
    /// The loss is the mean over a batch: of one sample, or of three when the
    /// model has BatchNormalization (whose batch statistics tie the samples
    /// together), run on two threads. Returns false when the model cannot be
    /// trained yet.
    @discardableResult
    static func check<Model: TrainableModel>(_ type: Model.Type, spec: String, seed: UInt64, loss: LossFunction? = nil,
                                             perTensor: Int? = 6, inputs: Int? = 12, scalePerTensor: Bool = false) throws -> Bool {
        guard Model.trainingUnsupportedReason == nil else { return false }
        let checked = try Frontend.load(path: ZooAgreesWithReferenceTests.repository.appendingPathComponent(spec).path).get()
        let batch = Model.trainingPhaseCount > 1 ? 3 : 1
        var generator = SplitMix64(seed: seed)
        let parameters = ZooAgreesWithReferenceTests.randomParameters(for: Model.self, generator: &generator)
        let input = (0..<(batch * Model.inputCount)).map { _ in Float(generator.nextUnit()) }
        // A loss per output: `loss`, or the one its activation implies.
        let outputs = Model.outputLayout
        let functions = Model.outputActivations.map { loss ?? defaultLoss(for: $0) }
        let target = (0..<batch).flatMap { _ in
            zip(outputs, functions).flatMap { output, function in
                Self.target(for: function, count: output.count, channels: output.shape.last ?? 1, generator: &generator)
            }
        }
        let dropoutSeeds = (0..<batch).map { (seed &* 31) &+ UInt64($0) }

        let model = try Model(parameters: parameters)
        let generated = try model.batchGradients(inputs: input, targets: target, loss: try ModelLoss(functions: functions), dropoutSeeds: dropoutSeeds, threads: 2)

        let widened = parameters.map(Double.init)
        let widenedTarget = target.map(Double.init)
        func referenceLoss(_ parameters: [Double], _ input: [Double]) -> Double {
            var tensors: [String: [Double]] = [:]
            for tensor in Model.weightLayout { tensors[tensor.name] = Array(parameters[tensor.offset..<(tensor.offset + tensor.count)]) }
            let network = ReferenceNetwork(model: checked, tensors: tensors)
            let samples = (0..<batch).map { Array(input[($0 * Model.inputCount)..<(($0 + 1) * Model.inputCount)]) }
            let run = network.runTraining(samples, dropoutSeeds: dropoutSeeds)
            return run.outputs.enumerated().reduce(0) { sum, item in
                let t = Array(widenedTarget[(item.offset * Model.outputCount)..<((item.offset + 1) * Model.outputCount)])
                let losses = zip(outputs, functions).map { output, function in
                    let range = output.offset..<(output.offset + output.count)
                    return ReferenceLoss.value(function, Array(item.element[range]), Array(t[range]), channels: output.shape.last ?? 1)
                }
                return sum + losses.reduce(0, +) + run.penalties[item.offset]
            } / Double(batch)
        }
        let baseInput = input.map(Double.init)
        #expect(abs(Double(generated.loss) - referenceLoss(widened, baseInput)) <= 1e-4 * max(1, abs(Double(generated.loss))), "\(spec): loss")

        // (what, generated, numerical)
        var rows: [(String, Double, Double)] = []
        for tensor in Model.weightLayout {
            // Frozen layers' weights have no gradient in Keras's fit.
            if Model.frozenParameterRanges.contains(where: { $0.contains(tensor.offset) }) {
                #expect(generated.parameters[tensor.offset..<(tensor.offset + tensor.count)].allSatisfy { $0 == 0 }, "\(spec): frozen \(tensor.name) has a gradient")
                continue
            }
            // BatchNormalization's moving averages do not enter a training step's loss;
            // Normalization's statistics do, but Keras never trains them.
            if [".moving_mean", ".moving_variance", ".mean", ".variance", ".count"].contains(where: tensor.name.hasSuffix) {
                #expect(generated.parameters[tensor.offset..<(tensor.offset + tensor.count)].allSatisfy { $0 == 0 }, "\(spec): \(tensor.name) has a gradient")
                continue
            }
            for index in Self.indices(count: tensor.count, limit: perTensor, generator: &generator) {
                var plus = widened, minus = widened
                plus[tensor.offset + index] += step
                minus[tensor.offset + index] -= step
                let numerical = (referenceLoss(plus, baseInput) - referenceLoss(minus, baseInput)) / (2 * step)
                rows.append(("\(tensor.name)[\(index)]", Double(generated.parameters[tensor.offset + index]), numerical))
            }
        }
        for index in Self.indices(count: batch * Model.inputCount, limit: inputs, generator: &generator) {
            var plus = baseInput, minus = baseInput
            plus[index] += step
            minus[index] -= step
            let numerical = (referenceLoss(widened, plus) - referenceLoss(widened, minus)) / (2 * step)
            rows.append(("input[\(index)]", Double(generated.inputs[index]), numerical))
        }
        // A model whose gradients span many orders of magnitude takes each tensor's own scale.
        func tensor(_ row: (String, Double, Double)) -> Substring { scalePerTensor ? row.0.prefix { $0 != "[" } : "" }
        let scales = Dictionary(grouping: rows, by: tensor).mapValues { max(1e-3, $0.map { abs($0.2) }.max() ?? 0) }
        let failures = rows.filter { abs($0.1 - $0.2) > 1e-4 * scales[tensor($0)]! + 1e-3 * abs($0.2) }
        #expect(failures.isEmpty, "\(spec) (\(functions.map(\.rawValue).joined(separator: ", "))): \(failures.count) of \(rows.count) gradients differ, e.g. \(failures.prefix(4).map { "\($0.0): generated \($0.1), numerical \($0.2)" })")
        return true
    }

    static func defaultLoss(for activation: String) -> LossFunction {
        switch activation {
        case "softmax": .categoricalCrossEntropy
        case "sigmoid": .binaryCrossEntropy
        default: .meanSquaredError
        }
    }

    /// One-hot per position for cross-entropy, 0/1 for binary, values in [-1, 1) otherwise.
    static func target(for loss: LossFunction, count: Int, channels: Int, generator: inout SplitMix64) -> [Float] {
        var target = [Float](repeating: 0, count: count)
        switch loss {
        case .categoricalCrossEntropy:
            for start in stride(from: 0, to: count, by: channels) { target[start + Int(generator.next() % UInt64(channels))] = 1 }
        case .binaryCrossEntropy:
            for i in 0..<count { target[i] = generator.next() % 2 == 0 ? 0 : 1 }
        case .meanSquaredError:
            for i in 0..<count { target[i] = Float(generator.nextUnit() * 2 - 1) }
        }
        return target
    }

    static func indices(count: Int, limit: Int?, generator: inout SplitMix64) -> [Int] {
        guard let limit, count > limit else { return Array(0..<count) }
        var chosen: Set<Int> = [0, count - 1]
        while chosen.count < limit { chosen.insert(Int(generator.next() % UInt64(count))) }
        return chosen.sorted()
    }

    @Test func lenet5() throws {
        #expect(try Self.check(Lenet5.self, spec: "Specs/lenet5.cnn.yaml", seed: 11, perTensor: 40, inputs: 60))
    }

    @Test func zooModels() throws {
        #expect(try Self.check(ToyConvnet.self, spec: "Specs/toy_convnet.cnn.yaml", seed: 12))
        #expect(try Self.check(MnistConvnet.self, spec: "Specs/mnist_convnet.cnn.yaml", seed: 13))
        #expect(try Self.check(SeedPadding6x6.self, spec: "Specs/seed_padding_6x6.cnn.yaml", seed: 14, perTensor: nil, inputs: nil))
        #expect(try Self.check(SeedStrided7x7.self, spec: "Specs/seed_strided_7x7.cnn.yaml", seed: 15, perTensor: nil, inputs: nil))
        #expect(try Self.check(SeedVolume2Filters.self, spec: "Specs/seed_volume_2_filters.cnn.yaml", seed: 16))
        // A graph: identity and projection shortcuts, BatchNormalization on both branches.
        #expect(try Self.check(MiniResnet.self, spec: "Specs/mini_resnet.cnn.yaml", seed: 20))
        // A sequence: Conv1D, MaxPooling1D and GlobalAveragePooling1D.
        #expect(try Self.check(HarConv1d.self, spec: "Specs/har_conv1d.cnn.yaml", seed: 21))
        // A U-Net: per-pixel softmax, skip connections, Conv2DTranspose and bilinear UpSampling2D.
        #expect(try Self.check(Unet.self, spec: "Specs/unet.cnn.yaml", seed: 21))
    }

    /// Softmax outputs trained with MSE: the loss does not fuse, so the
    /// softmax derivative itself is exercised.
    @Test func unfusedSoftmax() throws {
        #expect(try Self.check(Lenet5.self, spec: "Specs/lenet5.cnn.yaml", seed: 17, loss: .meanSquaredError))
        #expect(try Self.check(ToyConvnet.self, spec: "Specs/toy_convnet.cnn.yaml", seed: 18, loss: .meanSquaredError))
    }

    /// activations_more's exponential layers spread its gradients over many
    /// orders of magnitude: each tensor is held to its own scale, so that a
    /// derivative taken at the wrong point (y for z) cannot hide.
    @Test func newActivationsAgainstTheirOwnScale() throws {
        #expect(try Self.check(ActivationsMore.self, spec: "Tests/Fixtures/specs/activations_more.yaml", seed: 23,
                               perTensor: 12, inputs: 24, scalePerTensor: true))
    }

    @Test(arguments: FixtureModels.models.map(\.spec))
    func fixtureModel(spec: String) throws {
        let type = FixtureModels.models.first { $0.spec == spec }!.type
        guard let trainable = type as? any TrainableModel.Type else { Issue.record("\(spec) is not trainable"); return }
        try Self.check(trainable, spec: spec, seed: 19)
    }

    /// Strides, dilations, both paddings, odd and even sizes, channel counts
    /// off the SIMD widths: all 100 random specs.
    @Test func randomModels() throws {
        var checked = 0
        for (index, entry) in RandomModels.models.enumerated() {
            guard let trainable = entry.type as? any TrainableModel.Type else { continue }
            if try Self.check(trainable, spec: entry.spec, seed: UInt64(2000 + index), perTensor: 3, inputs: 4) { checked += 1 }
        }
        // Every layer kind trains now, BatchNormalization and the noise layers included.
        #expect(checked == RandomModels.models.count, "only \(checked) of \(RandomModels.models.count) random models could be trained")
    }
}

/// The losses again, in Float64 and written independently of the runtime's.
enum ReferenceLoss {
    static func value(_ loss: LossFunction, _ y: [Double], _ t: [Double], channels: Int) -> Double {
        let clip = { (p: Double) in min(max(p, 1e-7), 1 - 1e-7) }
        switch loss {
        case .categoricalCrossEntropy:
            let positions = Double(y.count / channels)
            return -zip(y, t).reduce(0) { $0 + $1.1 * log(clip($1.0)) } / positions
        case .binaryCrossEntropy:
            return -zip(y, t).reduce(0) { $0 + $1.1 * log(clip($1.0)) + (1 - $1.1) * log(1 - clip($1.0)) } / Double(y.count)
        case .meanSquaredError:
            return zip(y, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(y.count)
        }
    }
}
