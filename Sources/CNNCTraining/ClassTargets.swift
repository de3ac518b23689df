import CNNCRuntime

/// How a classifier's integer labels meet the model's output: the target
/// vector the loss compares with, and the class a prediction names.
///
/// Two layouts, as Keras's losses and `accuracy` metric treat them:
/// - one output per class (softmax, or any K > 1 outputs): one-hot targets,
///   the predicted class is the arg-max (the first one on a tie, as numpy's argmax);
/// - one output for two classes (sigmoid): the target is the label itself and
///   the predicted class is 1 when the output is above 0.5 (binary_accuracy).
public struct ClassTargets: Sendable, Equatable {
    public let classCount: Int
    public let outputCount: Int

    public init(classCount: Int, outputShape: [Int]) throws(RuntimeError) {
        let outputCount = outputShape.reduce(1, *)
        try Self.checkScoresClasses(outputShape: outputShape)
        guard outputCount == classCount || (outputCount == 1 && classCount == 2) else {
            throw RuntimeError("the data has \(classCount) classes but the model has \(outputCount) outputs; the last Dense layer needs \(classCount) units (or 1 unit with sigmoid for two classes)")
        }
        self.classCount = classCount
        self.outputCount = outputCount
    }

    /// Refuses an output that is no vector of class scores; cnnc asks this
    /// before it builds the model, the model's executable again.
    public static func checkScoresClasses(outputShape: [Int]) throws(RuntimeError) {
        guard outputShape.count == 1 else {
            throw RuntimeError("the model's output has shape \(TensorLayout.shapeText(outputShape)); training on class labels needs a vector of class scores (end the model with Flatten or global pooling, then Dense)")
        }
    }

    /// Refuses data whose labels could name a class the model has no output
    /// for; fewer classes are fine (Keras asks only that each label be below
    /// the number of outputs).
    public func check(_ data: LabeledImages) throws(RuntimeError) {
        guard data.classCount <= classCount else {
            throw RuntimeError("the data has \(data.classCount) classes but the model scores \(classCount); every label must be below \(classCount)")
        }
        guard data.targets == nil || outputCount == data.classCount else {
            throw RuntimeError("the data's soft target rows have \(data.classCount) columns but the model has \(outputCount) output\(outputCount == 1 ? "" : "s"); rows need a model with one output per column (a one-unit sigmoid takes labels 0 and 1)")
        }
    }

    /// Writes the target vector of `label` (outputCount values).
    public func writeTarget(label: Int32, into target: UnsafeMutablePointer<Float>) {
        if outputCount == 1 {
            target[0] = Float(label)
        } else {
            target.update(repeating: 0, count: outputCount)
            target[Int(label)] = 1
        }
    }

    /// The class an output vector names.
    public func predictedClass(_ output: UnsafePointer<Float>) -> Int {
        if outputCount == 1 { return output[0] > 0.5 ? 1 : 0 }
        var best = 0
        for index in 1..<outputCount where output[index] > output[best] { best = index }
        return best
    }

    /// Whether an output names its packed target's class, as Keras's
    /// `accuracy` decides it: `categorical_accuracy` compares the arg-maxes
    /// of output and target (a soft target's largest column is its class),
    /// `binary_accuracy` counts a one-unit output only when its target equals
    /// the thresholded output exactly, so a target of 0.3 never counts.
    public func isCorrect(_ output: UnsafePointer<Float>, target: UnsafePointer<Float>) -> Bool {
        if outputCount == 1 { return target[0] == Float(predictedClass(output)) }
        return predictedClass(output) == predictedClass(target)
    }

    /// The loss Keras users pair with this output: cross-entropy after softmax or
    /// sigmoid. Any other output activation needs the loss named explicitly.
    public func defaultLoss(outputActivation: String) throws(RuntimeError) -> LossFunction {
        if let implied = ModelLoss.implied(byActivation: outputActivation, values: outputCount) { return implied }
        throw RuntimeError("the model ends in '\(outputActivation)' with \(outputCount) output\(outputCount == 1 ? "" : "s"), so no loss is implied; end it with softmax (or sigmoid for one output), or name the loss: \(LossFunction.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}
