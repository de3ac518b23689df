import CNNCRuntime
import CNNCTraining
import FixtureModels
import Testing

/// Keras's evaluate adds ActivityRegularization's penalty to each sample's
/// loss (the layer's regularizer runs at inference too): Evaluation's loss
/// with the layer's penalty is its loss without, plus the mean over samples
/// of l1·Σ|x| + l2·Σx² of the layer's input (Flatten's output, read here).
@Suite struct ActivityPenaltyEvaluationTests {
    @Test func evaluationAddsTheMeanPenalty() throws {
        let model = InferenceIdentity(seed: 4)
        var generator = SplitMix64(seed: 5, stream: 1)
        let count = 7
        let pixels = (0..<(count * InferenceIdentity.inputCount)).map { _ in Float(generator.nextUniform(-1, 1)) }
        let data = try LabeledImages(height: 8, width: 8, channels: 3, pixels: pixels, labels: (0..<count).map { Int32($0 % 3) }, classCount: 3)
        let targets = try ClassTargets(classCount: 3, outputShape: [3])
        let (l1, l2) = (0.01, 0.03)
        let plain = try Evaluation(model: model, data: data, loss: .categoricalCrossEntropy, targets: targets, threads: 1)
        let penalized = try Evaluation(model: model, data: data, loss: .categoricalCrossEntropy, targets: targets, threads: 2,
                                       penalties: [ActivityPenalty(layer: "activity_regularization", l1: l1, l2: l2)])
        let flatten = try #require(InferenceIdentity.layers.firstIndex { $0.name == "flatten" })
        let arena = ModelArena(count: InferenceIdentity.arenaCount)
        var output = [Float](repeating: 0, count: 3)
        var byHand = 0.0
        for sample in 0..<count {
            pixels.withUnsafeBufferPointer { input in
                model.predict(input.baseAddress! + sample * InferenceIdentity.inputCount, into: &output, arena: arena.pointer) { index, values in
                    guard index == flatten else { return }
                    for position in 0..<144 { byHand += l1 * Double(abs(values[position])) + l2 * Double(values[position] * values[position]) }
                }
            }
        }
        byHand /= Double(count)
        #expect(byHand > 0.01)
        #expect(abs(penalized.loss - plain.loss - byHand) < 1e-6 * byHand, "\(penalized.loss) − \(plain.loss) against \(byHand)")
        #expect(penalized.accuracy == plain.accuracy)
        #expect(throws: RuntimeError.self) {
            try Evaluation(model: model, data: data, loss: .categoricalCrossEntropy, targets: targets, threads: 1,
                           penalties: [ActivityPenalty(layer: "no_such_layer", l1: 1, l2: 0)])
        }
    }
}
