import CNNCRuntime

/// Keras 3's `SGD`, with μ = momentum and lr the learning rate, both float32:
///
///     momentum 0:  w −= g·lr
///     otherwise:   m = m·μ − g·lr, then w += m, or with Nesterov w += m·μ − g·lr
///                  (the new m)
///
/// The slot "momentum" exists only when momentum is not 0, as in Keras.
enum SGD: UpdateRule {
    static func slotNames(_ configuration: OptimizerConfiguration) -> [String] {
        configuration.momentum != 0 ? ["momentum"] : []
    }

    static func update(parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], iterations: Int, configuration: OptimizerConfiguration) {
        let lr = Float(configuration.learningRate)
        let mu = Float(configuration.momentum)
        guard let m = slots.first else {
            for i in 0..<count { w[i] -= g[i] * lr }
            return
        }
        if configuration.nesterov {
            for i in 0..<count {
                let descent = g[i] * lr
                m[i] = m[i] * mu - descent
                w[i] += m[i] * mu - descent
            }
        } else {
            for i in 0..<count {
                m[i] = m[i] * mu - g[i] * lr
                w[i] += m[i]
            }
        }
    }
}
