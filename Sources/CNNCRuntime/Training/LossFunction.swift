import Foundation

/// The losses Keras's `compile(loss=...)` offers for the models cnnc trains,
/// per sample. Targets are given as a vector the size of the output (a class
/// label becomes one-hot before it gets here). As in Keras, the loss is taken
/// over the last axis (`channels`) and averaged over the other positions of
/// an image-shaped output.
public enum LossFunction: String, Codable, Sendable, CaseIterable {
    /// `categorical_crossentropy` (and `sparse_…` once labels are one-hot):
    /// −Σ t·log(clip(y/Σy, ε, 1 − ε)), ε = 1e-7, as Keras on JAX computes it
    /// from probabilities (its default from_logits=False): the output divided
    /// by its sum over the classes, then clipped.
    case categoricalCrossEntropy = "categorical_crossentropy"
    /// `binary_crossentropy`: −mean(t·log y + (1 − t)·log(1 − y)), y clipped to [ε, 1 − ε].
    case binaryCrossEntropy = "binary_crossentropy"
    /// `mean_squared_error`: mean((y − t)²).
    case meanSquaredError = "mean_squared_error"

    public static let epsilon: Float = 1e-7

    /// The loss of one sample.
    public func value(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int, channels: Int) -> Float {
        var total: Float = 0
        switch self {
        case .categoricalCrossEntropy:
            for start in stride(from: 0, to: count, by: channels) {
                let sum = Self.sum(y, start, channels)
                for i in start..<(start + channels) where t[i] != 0 { total -= t[i] * log(Self.clipped(y[i] / sum)) }
            }
            return total / Float(count / channels)
        case .binaryCrossEntropy:
            for i in 0..<count {
                let p = Self.clipped(y[i])
                total -= t[i] * log(p) + (1 - t[i]) * log(1 - p)
            }
            return total / Float(count)
        case .meanSquaredError:
            for i in 0..<count { total += (y[i] - t[i]) * (y[i] - t[i]) }
            return total / Float(count)
        }
    }

    /// Whether the loss's gradient with respect to the output layer's
    /// pre-activation is the stable `y − t` (scaled): cross-entropy after
    /// softmax, binary cross-entropy after sigmoid. Then the generated code
    /// skips the activation's own derivative, so large logits stay finite.
    public func fuses(with activation: String) -> Bool {
        (self == .categoricalCrossEntropy && activation == "softmax") || (self == .binaryCrossEntropy && activation == "sigmoid")
    }

    /// Writes dL/dz for the fused case (z the pre-activation) or dL/dy otherwise.
    ///
    /// As Keras's: where the clip holds a probability at ε or 1 − ε its
    /// derivative is 0, so that value adds nothing. A confidently wrong
    /// sample (its class's probability under 1e-7) moves no weight in Keras's
    /// `fit`; with `y − t` it pushed as hard as a sample can, and a step
    /// from large logits ended far from Keras's (a helper's hunt: a bias 4.2
    /// off after one SGD step). (At exactly ε JAX takes half the derivative; here none.)
    public func gradient(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int, channels: Int, fused: Bool, into g: UnsafeMutablePointer<Float>) {
        let positions = Float(count / channels)
        switch (self, fused) {
        case (.categoricalCrossEntropy, _):
            // With p = y/S (S = Σy) and T = Σ t over the classes whose p is inside the clip:
            // dL/dy_k = T/S − t_k/y_k (the second term for k inside), and through a
            // softmax, whose outputs sum to 1, dL/dz_j = y_j·T − t_j (j inside): y − t for a one-hot t.
            for start in stride(from: 0, to: count, by: channels) {
                let sum = Self.sum(y, start, channels)
                var mass: Float = 0
                for i in start..<(start + channels) where Self.inside(y[i] / sum) { mass += t[i] }
                for i in start..<(start + channels) {
                    let own = Self.inside(y[i] / sum) ? t[i] : 0
                    g[i] = (fused ? y[i] * mass - own : mass / sum - (own == 0 ? 0 : own / y[i])) / positions
                }
            }
        case (.binaryCrossEntropy, true):
            for i in 0..<count { g[i] = Self.inside(y[i]) ? (y[i] - t[i]) / Float(count) : 0 }
        case (.binaryCrossEntropy, false):
            for i in 0..<count {
                let p = y[i]
                g[i] = Self.inside(p) ? (p - t[i]) / (p * (1 - p)) / Float(count) : 0
            }
        case (.meanSquaredError, _):
            for i in 0..<count { g[i] = 2 * (y[i] - t[i]) / Float(count) }
        }
    }

    static func clipped(_ y: Float) -> Float { Swift.min(Swift.max(y, epsilon), 1 - epsilon) }

    /// Whether `p` lies strictly inside the clip's bounds, where the clip passes its derivative on.
    static func inside(_ p: Float) -> Bool { p > epsilon && p < 1 - epsilon }

    /// Σ y over one position's classes, in order.
    static func sum(_ y: UnsafePointer<Float>, _ start: Int, _ channels: Int) -> Float {
        var total: Float = 0
        for i in start..<(start + channels) { total += y[i] }
        return total
    }
}

extension LossFunction {
    /// A loss by its Keras name, as `--loss` gives it.
    /// The loss Keras calls `name`, by the names Keras users write in
    /// `compile(loss=…)`: `sparse_categorical_crossentropy` is the same loss
    /// over integer labels (cnnc's labels are class indices either way), and
    /// `mse` is Keras's alias.
    public init(named name: String) throws(RuntimeError) {
        let aliases: [String: LossFunction] = ["sparse_categorical_crossentropy": .categoricalCrossEntropy, "mse": .meanSquaredError]
        guard let loss = LossFunction(rawValue: name) ?? aliases[name] else {
            throw RuntimeError("unknown loss '\(name)'; choose \(LossFunction.allCases.map(\.rawValue).joined(separator: ", ")) (or Keras's names sparse_categorical_crossentropy and mse)")
        }
        self = loss
    }
}
