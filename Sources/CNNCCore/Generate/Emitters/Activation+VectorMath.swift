/// The runtime's `VectorMath` functions that compute an activation, and its
/// derivative at the input, on 16 floats at once.
extension Activation {
    /// The function generated code applies (`VectorMath.silu`); nil for the
    /// six the emitters write out themselves.
    var vectorFunction: String? { runtimeFunction(suffix: "") }

    /// Its derivative at the input (`VectorMath.siluDerivative`), for those
    /// whose derivative reads it (`derivativeReadsInput`).
    var vectorDerivative: String? { runtimeFunction(suffix: "Derivative") }

    /// The function a convolution's store applies to each vector when this
    /// activation runs in it (`StoreEpilogue`): the one its own pass applies,
    /// so the bits are the same. Only the short ones, which the runtime marks
    /// transparent so the compiler always inlines them (`@inline(__always)`
    /// left a call in a kernel's stores, its vectors through the stack). The
    /// long ones (sigmoid, tanh, silu) keep a pass of their own: in a store,
    /// beside the kernel's sums, they made LeNet-5 2.5% slower and gained
    /// EfficientNetB0 nothing beyond noise (Zen 3); the rational tanh, at
    /// less than half the cost, still made LeNet-5 2% slower there.
    var storeFunction: String? {
        switch self {
        case .relu6, .hardSigmoid, .hardSilu, .softsign: "VectorMath.\(self)"
        default: nil
        }
    }

    /// The runtime function named after the case, with `suffix`.
    private func runtimeFunction(suffix: String) -> String? {
        switch self {
        case .linear, .relu, .sigmoid, .softmax, .logSoftmax, .tanh: nil
        case .leakyReLU: "{ VectorMath.leakyReLU\(suffix)($0, slope: \(Float(Activation.leakyReLUSlope))) }"
        // e^x is its own derivative.
        case .exponential: "VectorMath.exponential"
        default: "VectorMath.\(self)\(suffix)"
        }
    }
}
