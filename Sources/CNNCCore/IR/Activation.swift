/// The element-wise functions a layer's `activation` argument may name.
public enum Activation: String, Hashable, Sendable, Codable, CaseIterable {
    case linear, relu, sigmoid, softmax, tanh
}

extension Activation {
    /// Keras 3's other activation names (`keras.activations`): a spec naming
    /// one is told it is not computed yet, not offered a near name.
    static let otherKerasNames: Set<String> = [
        "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
        "hard_tanh", "leaky_relu", "log_sigmoid", "log_softmax", "mish", "relu6", "selu", "silu", "soft_shrink",
        "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh_shrink", "threshold",
    ]
}
