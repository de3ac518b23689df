import CNNCRuntime

/// Keras's `evaluate` for a classifier, plus the confusion matrix: loss and
/// accuracy (correct predictions over all samples) in inference mode.
public struct Evaluation: Sendable, Equatable {
    public let loss: Double
    public let accuracy: Double
    public let count: Int
    /// `confusion[true class][predicted class]`: how many samples of each class went where.
    public let confusion: [[Int]]

    /// Runs `model` over every image of `data`, `chunk` images at a time across `threads`.
    /// `penalties`: the model's ActivityRegularization layers, whose penalty
    /// Keras's evaluate adds to each sample's loss (`ActivityPenalties`).
    public init<Model: CompiledModel>(model: Model, data: LabeledImages, loss: LossFunction, targets: ClassTargets,
                                      threads: Int, penalties: [ActivityPenalty] = [], chunk: Int = 512) throws(RuntimeError) {
        let penalized = try ActivityPenalties<Model>(penalties)
        try data.checkFits(Model.self)
        try targets.check(data)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: targets.classCount), count: targets.classCount)
        var lossSum = 0.0
        var output = [Float](repeating: 0, count: chunk * Model.outputCount)
        var target = [Float](repeating: 0, count: Model.outputCount)
        var start = 0
        while start < data.count {
            let count = Swift.min(chunk, data.count - start)
            let pixels = data.pixels[(start * data.imageSize)..<((start + count) * data.imageSize)]
            var failure: RuntimeError?
            pixels.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    do throws(RuntimeError) { try model.predict(batch: input, count: count, into: output, threads: threads) } catch { failure = error }
                }
            }
            if let failure { throw failure }
            if let penalized {
                lossSum += pixels.withUnsafeBufferPointer { penalized.values(model, input: $0.baseAddress!, count: count) }.reduce(0, +)
            }
            output.withUnsafeBufferPointer { output in
                target.withUnsafeMutableBufferPointer { target in
                    for sample in 0..<count {
                        let label = data.labels[start + sample]
                        let y = output.baseAddress! + sample * Model.outputCount
                        if let rows = data.targets {
                            let row = (start + sample) * Model.outputCount
                            rows.withUnsafeBufferPointer { target.baseAddress!.update(from: $0.baseAddress! + row, count: Model.outputCount) }
                        } else {
                            targets.writeTarget(label: label, into: target.baseAddress!)
                        }
                        lossSum += Double(loss.value(y, target.baseAddress!, count: Model.outputCount, channels: Model.outputShape.last ?? 1))
                        confusion[Int(label)][targets.predictedClass(y)] += 1
                    }
                }
            }
            start += count
        }
        self.count = data.count
        self.loss = data.count == 0 ? 0 : lossSum / Double(data.count)
        self.confusion = confusion
        let correct = (0..<targets.classCount).reduce(0) { $0 + confusion[$1][$1] }
        self.accuracy = data.count == 0 ? 0 : Double(correct) / Double(data.count)
    }
}
