/// The element-wise functions a layer's `activation` argument may name, by
/// Keras 3's names (what `keras.activations.serialize` writes). Every formula
/// is Keras 3's (JAX's `jax.nn`), checked against Keras by the fixtures.
public enum Activation: String, Hashable, Sendable, Codable, CaseIterable {
    case linear, relu, sigmoid, softmax, tanh
    /// x·sigmoid(x) (Keras also reads `swish`).
    case silu
    /// relu6(x + 3)/6: Keras 3's, not Keras 2's clip(0.2·x + 0.5, 0, 1).
    case hardSigmoid = "hard_sigmoid"
    /// x·hard_sigmoid(x) (Keras also reads `hard_swish`).
    case hardSilu = "hard_silu"
    /// min(max(x, 0), 6).
    case relu6
    /// The exact x·Φ(x) = x/2·erfc(−x/√2) (the activation's `approximate: false`).
    case gelu
    /// x > 0 ? x : e^x − 1 (alpha 1).
    case elu
    /// scale·elu(x, alpha), alpha 1.6732632…, scale 1.0507009….
    case selu
    /// log(1 + e^x).
    case softplus
    /// x/(|x| + 1).
    case softsign
    /// x ≥ 0 ? x : 0.2·x (the function's default slope; the LeakyReLU layer's is 0.3).
    case leakyReLU = "leaky_relu"
    /// x·tanh(softplus(x)).
    case mish
    /// e^x.
    case exponential
    /// x − log Σ e^x over the last axis (the log of softmax, without its underflow).
    case logSoftmax = "log_softmax"
}

extension Activation {
    /// Other names Keras reads for an activation, and the activation it serializes them as.
    static let kerasAliases: [String: Activation] = ["swish": .silu, "hard_swish": .hardSilu]

    /// Keras 3's other activation names (`keras.activations`): a spec naming
    /// one is told it is not computed yet, not offered a near name.
    static let otherKerasNames: Set<String> = [
        "celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink",
        "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold",
    ]

    /// SELU's constants (`jax.nn.selu`).
    public static let seluAlpha = 1.6732632423543772848170429916717
    public static let seluScale = 1.0507009873554804934193349852946
    /// leaky_relu's slope below 0 as an activation function.
    public static let leakyReLUSlope = 0.2

    /// Whether dL/dz is computed from the pre-activation z rather than from
    /// the output y. silu, gelu, hard_silu and mish must (y does not give z
    /// back); for the others z is simply the exact input Keras differentiates
    /// at (elu's e^z from y + 1 would cancel near y = −1). A Conv2D or Dense
    /// layer with one of them keeps z in its training arena.
    public var derivativeReadsInput: Bool {
        switch self {
        case .linear, .relu, .sigmoid, .softmax, .logSoftmax, .tanh: false
        default: true
        }
    }
}
