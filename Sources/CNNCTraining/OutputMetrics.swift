import CNNCRuntime

/// What Keras reports for a model of several outputs, accumulated over the
/// samples seen: the total loss, each output's loss (`class_head_loss`), and
/// the accuracy of each classifier head (`class_head_accuracy`: an output of
/// class scores trained with cross-entropy, or one sigmoid unit with binary
/// cross-entropy), as `compile(metrics={"class_head": "accuracy"})` gives it.
/// A head of scores at every position (a segmentation head's (H, W, K), or
/// one sigmoid per pixel) counts each position, as Keras's accuracy compares
/// the last axis position by position and averages a sample's positions.
struct OutputMetrics {
    let outputs: [TensorLayout]
    let loss: ModelLoss
    /// How each classifier head names a class at one position; nil for the other outputs.
    private let heads: [ClassTargets?]
    private var lossSum = 0.0
    private var outputLossSums: [Double]
    /// Each head's correct positions, as fractions of its sample's.
    private var correct: [Double]
    private(set) var count = 0

    init(outputs: [TensorLayout], loss: ModelLoss) {
        self.outputs = outputs
        self.loss = loss
        heads = zip(outputs, loss.functions).map { output, function in
            let classes = output.shape.last ?? 1
            let scores = (function == .categoricalCrossEntropy && classes > 1) || (function == .binaryCrossEntropy && classes == 1)
            return scores ? try? ClassTargets(classCount: classes == 1 ? 2 : classes, outputShape: [classes]) : nil
        }
        outputLossSums = [Double](repeating: 0, count: outputs.count)
        correct = [Double](repeating: 0, count: outputs.count)
    }

    /// One sample's packed prediction `y` against its packed target `t`;
    /// `total` is its loss as training computed it (with any penalties), or
    /// nil to take the weighted sum of the outputs' losses plus `penalty`
    /// (ActivityRegularization's, at inference).
    mutating func add(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, total: Float? = nil, penalty: Double = 0) {
        var sum = 0.0
        for (number, output) in outputs.enumerated() {
            let (yp, tp) = (y + output.offset, t + output.offset)
            let channels = output.shape.last ?? 1
            outputLossSums[number] += Double(loss.functions[number].value(yp, tp, count: output.count, channels: channels))
            sum += Double(loss.value(number, yp, tp, count: output.count, channels: channels))
            if let head = heads[number] { correct[number] += Self.correctFraction(head, yp, tp, positions: output.count / head.outputCount) }
        }
        lossSum += total.map(Double.init) ?? sum + penalty
        count += 1
    }

    /// The share of a sample's positions whose scores name their target's class.
    private static func correctFraction(_ head: ClassTargets, _ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, positions: Int) -> Double {
        var hits = 0
        for position in 0..<positions where head.isCorrect(y + position * head.outputCount, target: t + position * head.outputCount) { hits += 1 }
        return Double(hits) / Double(positions)
    }

    private var scale: Double { count == 0 ? 0 : 1 / Double(count) }
    var meanLoss: Double { lossSum * scale }
    var meanOutputLosses: [Double] { outputLossSums.map { $0 * scale } }

    /// `loss`, each output's loss, then each classifier head's accuracy, as means over the samples.
    var values: [(String, Double)] {
        var values = [("loss", lossSum * scale)]
        guard outputs.count > 1 else { return values + (heads[0] == nil ? [] : [("accuracy", correct[0] * scale)]) }
        values += zip(outputs, outputLossSums).map { ("\($0.name)_loss", $1 * scale) }
        for (number, output) in outputs.enumerated() where heads[number] != nil {
            values.append(("\(output.name)_accuracy", correct[number] * scale))
        }
        return values
    }
}
