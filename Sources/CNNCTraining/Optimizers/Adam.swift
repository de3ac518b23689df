import CNNCRuntime
import Foundation

/// Keras 3's `Adam`, in float32 with step t = iterations + 1:
///
///     α = lr·sqrt(1 − β2^t) / (1 − β1^t)
///     m += (g − m)·(1 − β1)
///     v += (g² − v)·(1 − β2)
///     amsgrad: v̂ = max(v̂, v), used for v below
///     w −= (m·α) / (sqrt(v) + ε)
///
/// ε is added to the uncorrected sqrt(v). As in Keras, 1 − β is taken in
/// double before rounding to float32, and β^t is float32 β raised to t: the
/// correctly rounded float32 power, which is what XLA's pow gives.
/// Slots: "momentum", "velocity", and "velocity_hat" with amsgrad.
enum Adam: UpdateRule {
    static func slotNames(_ configuration: OptimizerConfiguration) -> [String] {
        ["momentum", "velocity"] + (configuration.amsgrad ? ["velocity_hat"] : [])
    }

    static func update(parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], iterations: Int, configuration: OptimizerConfiguration) {
        let t = Float(iterations + 1)
        let beta1Power = power(configuration.beta1, t)
        let beta2Power = power(configuration.beta2, t)
        let alpha = Float(configuration.learningRate) * (1 - beta2Power).squareRoot() / (1 - beta1Power)
        let oneMinusBeta1 = Float(1 - configuration.beta1)
        let oneMinusBeta2 = Float(1 - configuration.beta2)
        let epsilon = Float(configuration.epsilon)
        let (m, v) = (slots[0], slots[1])
        if configuration.amsgrad {
            let vHat = slots[2]
            for i in 0..<count {
                m[i] += (g[i] - m[i]) * oneMinusBeta1
                v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2
                vHat[i] = Swift.max(vHat[i], v[i])
                w[i] -= (m[i] * alpha) / (vHat[i].vectorizableSquareRoot + epsilon)
            }
        } else {
            for i in 0..<count {
                m[i] += (g[i] - m[i]) * oneMinusBeta1
                v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2
                w[i] -= (m[i] * alpha) / (v[i].vectorizableSquareRoot + epsilon)
            }
        }
    }

    /// float32(β)^t rounded once to float32.
    static func power(_ beta: Double, _ t: Float) -> Float {
        Float(pow(Double(Float(beta)), Double(t)))
    }
}
