import CNNCTraining
import Testing

/// Keras's `accuracy` for the two kinds of classifier head, on targets that
/// are not exactly one-hot or 0/1 (label smoothing, soft binary targets).
@Suite struct ClassTargetsAccuracyTests {
    @Test func binaryAccuracyCountsOnlyTargetsEqualToTheThresholdedOutput() throws {
        let head = try ClassTargets(classCount: 2, outputShape: [1])
        // binary_accuracy: equal(y_true, y_pred > 0.5), so a soft target never counts.
        let cases: [(output: Float, target: Float, correct: Bool)] = [
            (0.9, 1, true), (0.2, 0, true), (0.5, 0, true), (0.9, 0, false),
            (0.9, 0.7, false), (0.2, 0.3, false), (0.2, 0.0, true),
        ]
        for (output, target, correct) in cases {
            var (y, t) = (output, target)
            #expect(head.isCorrect(&y, target: &t) == correct, "output \(output), target \(target)")
        }
    }

    @Test func categoricalAccuracyComparesArgMaxesOfSoftTargets() throws {
        let head = try ClassTargets(classCount: 3, outputShape: [3])
        let output: [Float] = [0.2, 0.5, 0.3]
        #expect(head.isCorrect(output, target: [0.05, 0.9, 0.05]))
        #expect(!head.isCorrect(output, target: [0.4, 0.3, 0.3]))
        // A tie in the target goes to its first column, as numpy's argmax.
        #expect(head.isCorrect([0.6, 0.3, 0.1], target: [0.5, 0.5, 0]))
    }
}
