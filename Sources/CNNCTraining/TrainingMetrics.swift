import CNNCRuntime

/// Loss and accuracy over the samples seen so far, as Keras's progress bar
/// shows them: both are means over samples (a short last batch weighs less).
public struct TrainingMetrics: Sendable, Equatable {
    public private(set) var lossSum: Double = 0
    public private(set) var correct = 0
    public private(set) var count = 0

    public init() {}

    public mutating func add(loss: Float, correct isCorrect: Bool) {
        lossSum += Double(loss)
        correct += isCorrect ? 1 : 0
        count += 1
    }

    public var loss: Double { count == 0 ? 0 : lossSum / Double(count) }
    /// Correct predictions over all samples, as the course defines accuracy.
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
}
