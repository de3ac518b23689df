import CNNCRuntime

/// What differs between Keras's optimizers: the per-parameter variables
/// ("slots") each keeps and its update, as Keras 3's `build` and
/// `update_step` define them. `KerasOptimizer` holds the state around it.
protocol UpdateRule {
    /// Keras's names for the slots `configuration` uses, in the order `update` receives them.
    static func slotNames(_ configuration: OptimizerConfiguration) -> [String]

    /// One update of `count` parameters in place; `iterations` updates came before.
    static func update(parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], iterations: Int, configuration: OptimizerConfiguration)
}
