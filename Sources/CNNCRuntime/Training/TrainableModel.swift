/// A generated model that can learn: a forward pass in training mode that
/// keeps every layer's output, then a backward pass that accumulates
/// dL/dparameters (Keras layout, `weightLayout` offsets) and optionally dL/dinput.
public protocol TrainableModel: CompiledModel {
    /// Floats of scratch memory one training step on one sample needs.
    static var trainingArenaCount: Int { get }
    /// Why this model cannot be trained yet (a layer without a backward pass), or nil.
    static var trainingUnsupportedReason: String? { get }
    /// The output layer's activation ("softmax", "sigmoid", "linear", …), which
    /// decides whether the loss's gradient fuses with it.
    static var outputActivation: String { get }

    /// One sample: forward in training mode (dropout active, seeded by
    /// `dropoutSeed`), the loss against `target` (outputCount values), then
    /// backward. Adds the gradients to `gradients` (parameterCount floats) and,
    /// when given, writes dL/dinput to `inputGradient`. Writes the prediction
    /// to `output`. Returns the sample's loss.
    func accumulateGradients(_ input: UnsafePointer<Float>, target: UnsafePointer<Float>, loss: LossFunction,
                             gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                             output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, dropoutSeed: UInt64) -> Float
}

extension TrainableModel {
    /// One sample as arrays, for tests and small tools: (loss, dL/dparameters, dL/dinput).
    public func gradients(input: [Float], target: [Float], loss: LossFunction, dropoutSeed: UInt64 = 0) throws(RuntimeError) -> (loss: Float, parameters: [Float], input: [Float]) {
        guard input.count == Self.inputCount, target.count == Self.outputCount else {
            throw RuntimeError("a training sample needs \(Self.inputCount) inputs and \(Self.outputCount) targets; got \(input.count) and \(target.count)")
        }
        if let reason = Self.trainingUnsupportedReason { throw RuntimeError(reason) }
        var parameterGradients = [Float](repeating: 0, count: Self.parameterCount)
        var inputGradients = [Float](repeating: 0, count: Self.inputCount)
        var output = [Float](repeating: 0, count: Self.outputCount)
        let arena = ModelArena(count: Self.trainingArenaCount)
        let value = accumulateGradients(input, target: target, loss: loss, gradients: &parameterGradients,
                                        inputGradient: &inputGradients, output: &output, arena: arena.pointer, dropoutSeed: dropoutSeed)
        return (value, parameterGradients, inputGradients)
    }
}
