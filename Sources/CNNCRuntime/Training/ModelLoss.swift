/// The loss a model trains on: one `LossFunction` per output, each with a
/// weight, as Keras's `compile(loss={...}, loss_weights={...})` takes them.
/// The loss of a sample is the weighted sum of its outputs' losses, and so is
/// its gradient: each output's gradient is its function's, times its weight.
/// A model of one output has one function of weight 1.
public struct ModelLoss: Sendable, Equatable {
    /// By output, in the order of the model's `outputLayout`.
    public let functions: [LossFunction]
    public let weights: [Float]

    /// One output, weight 1: every model before graphs had several outputs.
    public init(_ function: LossFunction) {
        functions = [function]
        weights = [1]
    }

    /// Several outputs; `weights` nil weighs each 1, as Keras does without `loss_weights`.
    public init(functions: [LossFunction], weights: [Float]? = nil) throws(RuntimeError) {
        guard !functions.isEmpty else { throw RuntimeError("a loss needs a function for at least one output") }
        let weights = weights ?? [Float](repeating: 1, count: functions.count)
        guard weights.count == functions.count else {
            throw RuntimeError("\(weights.count) loss weights for \(functions.count) outputs; give one weight per output")
        }
        if let bad = weights.first(where: { !$0.isFinite || $0 < 0 }) {
            throw RuntimeError("a loss weight must be a finite number of at least 0, not \(bad)")
        }
        self.functions = functions
        self.weights = weights
    }

    /// Output `output`'s weighted loss for one sample (see `LossFunction.value`).
    @inlinable
    public func value(_ output: Int, _ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int, channels: Int) -> Float {
        weights[output] * functions[output].value(y, t, count: count, channels: channels)
    }

    /// Whether output `output`'s loss fuses with its layer's activation (see `LossFunction.fuses`).
    @inlinable
    public func fuses(_ output: Int, with activation: String) -> Bool {
        functions[output].fuses(with: activation)
    }

    /// Output `output`'s weighted gradient (see `LossFunction.gradient`) into `g`.
    @inlinable
    public func gradient(_ output: Int, _ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int, channels: Int, fused: Bool,
                         into g: UnsafeMutablePointer<Float>) {
        functions[output].gradient(y, t, count: count, channels: channels, fused: fused, into: g)
        let weight = weights[output]
        if weight != 1 { for i in 0..<count { g[i] *= weight } }
    }

    /// The loss an output implies when none is named, as Keras users pair
    /// them: cross-entropy after a softmax of several values, binary
    /// cross-entropy after one sigmoid; nil for any other output.
    public static func implied(byActivation activation: String, values: Int) -> LossFunction? {
        switch activation {
        case "softmax" where values > 1: .categoricalCrossEntropy
        case "sigmoid" where values == 1: .binaryCrossEntropy
        default: nil
        }
    }

    /// How Keras's progress line names it: `mean_squared_error`, or one name per output.
    public var description: String {
        functions.count == 1 ? functions[0].rawValue : functions.map(\.rawValue).joined(separator: ", ")
    }
}
