import CNNCRuntime

/// Keras 3's `RMSprop`, in float32 (ρ = rho, μ = momentum):
///
///     v = ρ·v + (1 − ρ)·g²
///     centered: a = ρ·a + (1 − ρ)·g, denominator = v − a² + ε
///     otherwise: denominator = v + ε
///     increment = lr·g / sqrt(denominator)
///     momentum > 0: p = μ·p + increment, w −= p
///     otherwise: w −= increment
///
/// ε is inside the square root; 1 − ρ is taken in double before rounding,
/// as in Keras. Slots: "velocity", "momentum" when momentum > 0, and
/// "average_gradient" when centered.
enum RMSprop: UpdateRule {
    static func slotNames(_ configuration: OptimizerConfiguration) -> [String] {
        ["velocity"] + (configuration.momentum > 0 ? ["momentum"] : []) + (configuration.centered ? ["average_gradient"] : [])
    }

    static func update(parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], iterations: Int, configuration: OptimizerConfiguration) {
        let lr = Float(configuration.learningRate)
        let rho = Float(configuration.rho)
        let oneMinusRho = Float(1 - configuration.rho)
        let mu = Float(configuration.momentum)
        let epsilon = Float(configuration.epsilon)
        let v = slots[0]
        let momentum = configuration.momentum > 0 ? slots[1] : nil
        let average = configuration.centered ? slots[slots.count - 1] : nil
        // One pass over memory per variant.
        switch (momentum, average) {
        case (nil, nil):
            for i in 0..<count {
                v[i] = rho * v[i] + oneMinusRho * (g[i] * g[i])
                w[i] -= (lr * g[i]) / (v[i] + epsilon).vectorizableSquareRoot
            }
        case (let p?, nil):
            for i in 0..<count {
                v[i] = rho * v[i] + oneMinusRho * (g[i] * g[i])
                p[i] = mu * p[i] + (lr * g[i]) / (v[i] + epsilon).vectorizableSquareRoot
                w[i] -= p[i]
            }
        case (nil, let a?):
            for i in 0..<count {
                v[i] = rho * v[i] + oneMinusRho * (g[i] * g[i])
                a[i] = rho * a[i] + oneMinusRho * g[i]
                w[i] -= (lr * g[i]) / (v[i] - a[i] * a[i] + epsilon).vectorizableSquareRoot
            }
        case (let p?, let a?):
            for i in 0..<count {
                v[i] = rho * v[i] + oneMinusRho * (g[i] * g[i])
                a[i] = rho * a[i] + oneMinusRho * g[i]
                p[i] = mu * p[i] + (lr * g[i]) / (v[i] - a[i] * a[i] + epsilon).vectorizableSquareRoot
                w[i] -= p[i]
            }
        }
    }
}
