import CNNCRuntime

/// What Keras reports for a model of several outputs, accumulated over the
/// samples seen: the total loss, each output's loss (`class_head_loss`), and
/// the accuracy of each classifier head (`class_head_accuracy`: an output of
/// class scores trained with cross-entropy, or one sigmoid unit with binary
/// cross-entropy), as `compile(metrics={"class_head": "accuracy"})` gives it.
struct OutputMetrics {
    let outputs: [TensorLayout]
    let loss: ModelLoss
    /// How each classifier head names a class; nil for the other outputs.
    private let heads: [ClassTargets?]
    private var lossSum = 0.0
    private var outputLossSums: [Double]
    private var correct: [Int]
    private(set) var count = 0

    init(outputs: [TensorLayout], loss: ModelLoss) {
        self.outputs = outputs
        self.loss = loss
        heads = zip(outputs, loss.functions).map { output, function in
            let scores = output.shape.count == 1 && ((function == .categoricalCrossEntropy && output.count > 1) || (function == .binaryCrossEntropy && output.count == 1))
            return scores ? try? ClassTargets(classCount: output.count == 1 ? 2 : output.count, outputShape: output.shape) : nil
        }
        outputLossSums = [Double](repeating: 0, count: outputs.count)
        correct = [Int](repeating: 0, count: outputs.count)
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
            if let head = heads[number], head.isCorrect(yp, target: tp) { correct[number] += 1 }
        }
        lossSum += total.map(Double.init) ?? sum + penalty
        count += 1
    }

    private var scale: Double { count == 0 ? 0 : 1 / Double(count) }
    var meanLoss: Double { lossSum * scale }
    var meanOutputLosses: [Double] { outputLossSums.map { $0 * scale } }

    /// `loss`, each output's loss, then each classifier head's accuracy, as means over the samples.
    var values: [(String, Double)] {
        var values = [("loss", lossSum * scale)]
        guard outputs.count > 1 else { return values + (heads[0] == nil ? [] : [("accuracy", Double(correct[0]) * scale)]) }
        values += zip(outputs, outputLossSums).map { ("\($0.name)_loss", $1 * scale) }
        for (number, output) in outputs.enumerated() where heads[number] != nil {
            values.append(("\(output.name)_accuracy", Double(correct[number]) * scale))
        }
        return values
    }
}
