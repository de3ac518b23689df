/// The runtime's `VectorMath` functions that compute an activation, and its
/// derivative at the input, on 16 floats at once.
extension Activation {
    /// The function generated code applies (`VectorMath.silu`); nil for the
    /// six the emitters write out themselves.
    var vectorFunction: String? { runtimeFunction(suffix: "") }

    /// Its derivative at the input (`VectorMath.siluDerivative`), for those
    /// whose derivative reads it (`derivativeReadsInput`).
    var vectorDerivative: String? { runtimeFunction(suffix: "Derivative") }

    /// The runtime function named after the case, with `suffix`.
    private func runtimeFunction(suffix: String) -> String? {
        switch self {
        case .linear, .relu, .sigmoid, .softmax, .logSoftmax, .tanh: nil
        case .leakyReLU: "{ VectorMath.leakyReLU\(suffix)($0, slope: \(Float(Activation.leakyReLUSlope))) }"
        // e^x is its own derivative.
        case .exponential: "VectorMath.exp"
        default: "VectorMath.\(self)\(suffix)"
        }
    }
}
