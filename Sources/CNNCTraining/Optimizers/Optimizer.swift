import CNNCRuntime

/// A Keras optimizer over a model's flat parameter buffer (Keras layouts, in
/// `weightLayout` order). `step` applies one update in place from the batch-mean
/// gradients, operation for operation as Keras 3's `update_step` does in float32,
/// so a trajectory matches Keras's within rounding.
///
/// Make one with `OptimizerConfiguration.makeOptimizer(parameterCount:)`.
public protocol Optimizer: Sendable {
    /// The hyperparameters it was made with.
    var configuration: OptimizerConfiguration { get }
    /// How many parameters it updates; `step` takes exactly that many.
    var parameterCount: Int { get }
    /// Updates applied so far (Keras's `optimizer.iterations`); Adam's step t is iterations + 1.
    var iterations: Int { get }

    /// One update: `parameters` (count floats) move against `gradients`, the
    /// batch mean of dL/dparameters. `count` must be `parameterCount`.
    mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int)

    /// What resuming needs, as named float tensors: "iterations" (one value,
    /// exact up to 2^24 steps) and each per-parameter variable under Keras's
    /// name ("momentum", "velocity", "velocity_hat", "average_gradient"),
    /// `parameterCount` values each. Only the variables this configuration uses appear.
    var state: [String: [Float]] { get }

    /// Continues from a saved `state`; throws, changing nothing, when a name
    /// is missing or extra or a size differs.
    mutating func restore(_ state: [String: [Float]]) throws(RuntimeError)
}

extension Optimizer {
    /// One update from arrays, for tests and small tools.
    public mutating func step(parameters: inout [Float], gradients: [Float]) {
        precondition(parameters.count == gradients.count, "step(parameters:gradients:) needs as many gradients as parameters")
        let count = parameters.count
        parameters.withUnsafeMutableBufferPointer { parameterBuffer in
            gradients.withUnsafeBufferPointer { gradientBuffer in
                guard let parameters = parameterBuffer.baseAddress, let gradients = gradientBuffer.baseAddress else { return }
                step(parameters: parameters, gradients: gradients, count: count)
            }
        }
    }
}
