/// Keras 3's other activations (JAX's `jax.nn` formulas, in its order of
/// operations where the result is exact, such as hard_sigmoid's
/// relu6(x + 3)/6) on 16 floats at once, and the derivative of each at its
/// input, for generated forward and backward passes.
///
/// Accuracy against Double over [-20, 20] (ActivationVectorMathTests):
/// expm1, elu and softplus within 3 ulp, selu, silu and mish within 4 ulp,
/// softsign within 1.5 ulp. erfc within 3.1e-7·(1 + x²) relative (4.3e-7
/// for |x| ≤ 1, 1.2e-6 for |x| ≤ 4): e^{P(t) − x²} reduces a larger argument
/// the larger x² is, so its error grows with x²; gelu likewise within
/// 3.4e-7·(1 + x²/2), where rounding x/√2 to float32 (as Keras does) already
/// costs x²·6e-8. The piecewise-linear ones (relu6,
/// hard_sigmoid, hard_silu, leaky_relu) are Keras's float32 operations, bit
/// for bit. The derivatives agree with central differences within 1e-5.
extension VectorMath {
    // MARK: Building blocks

    /// e^x − 1 without the cancellation of exp(x) − 1 near 0: its Taylor
    /// series (to degree 9, which leaves 2e-9) where |x| < 0.5, exp(x) − 1 beyond.
    @inlinable @inline(__always)
    public static func expm1(_ x: Vector) -> Vector {
        var p = Vector(repeating: 1.0 / 362_880)
        p = p * x + Vector(repeating: 1.0 / 40_320)
        p = p * x + Vector(repeating: 1.0 / 5_040)
        p = p * x + Vector(repeating: 1.0 / 720)
        p = p * x + Vector(repeating: 1.0 / 120)
        p = p * x + Vector(repeating: 1.0 / 24)
        p = p * x + Vector(repeating: 1.0 / 6)
        p = p * x + Vector(repeating: 0.5)
        p = p * x + Vector(repeating: 1)
        let small = x * p
        let magnitude = x.replacing(with: -x, where: x .< 0)
        return (exp(x) - 1).replacing(with: small, where: magnitude .< 0.5)
    }

    /// e^x over float32's whole range, for the `exponential` activation,
    /// whose result the user sees: `exp` clamps its input to [−87.3, 88],
    /// enough inside softmax and the rest, whose results round there anyway,
    /// but Keras's e^x goes on to 3.4e38 at 88.72 and +inf beyond, and down
    /// through the subnormals to 0 below −103.97 (at 88.5 `exp` gave e^88,
    /// 1.65e38, for Keras's 2.72e38). The same reduction and polynomial, with
    /// 2^n, n in [−150, 129], applied as two normal powers of two: the first
    /// product is exact, the second rounds once, overflowing to +inf or
    /// rounding into a subnormal as float32's e^x does.
    @inlinable @inline(__always)
    public static func exponential(_ x: Vector) -> Vector {
        let (r, n) = reduced(clamp(x, -104, 88.75))
        let half = n &>> 1
        let e = expOfReduced(r) * power(half) * power(n &- half)
        return e.replacing(with: .infinity, where: x .>= 88.75).replacing(with: 0, where: x .<= -104)
            .replacing(with: x, where: x .!= x)  // NaN in, NaN out
    }

    /// log(1 + u) for u in [0, 1], as 2·atanh(s) with s = u/(2 + u) ≤ 1/3:
    /// the odd series to s^15 leaves 1.4e-9, and s is exact enough for tiny u.
    @inlinable @inline(__always)
    static func log1pUnit(_ u: Vector) -> Vector {
        let s = u / (2 + u)
        let q = s * s
        var p = Vector(repeating: 1.0 / 15)
        p = p * q + Vector(repeating: 1.0 / 13)
        p = p * q + Vector(repeating: 1.0 / 11)
        p = p * q + Vector(repeating: 1.0 / 9)
        p = p * q + Vector(repeating: 1.0 / 7)
        p = p * q + Vector(repeating: 1.0 / 5)
        p = p * q + Vector(repeating: 1.0 / 3)
        p = p * q + Vector(repeating: 1)
        return 2 * s * p
    }

    /// The complementary error function 1 − erf(x): Numerical Recipes'
    /// `erfcc` (fractional error below 1.2e-7 in exact arithmetic),
    /// erfc(|x|) = t·e^{−x² + P(t)}, t = 1/(1 + |x|/2), and 2 − erfc(|x|) below 0.
    /// P's degree 9 by Estrin's scheme (pairs, then pairs of pairs, every
    /// step fused), −x² + P(t) in one rounding, and the shorter e^y that
    /// sigmoid uses (the product with t rounds again): a quarter fewer
    /// operations and a chain of dependent ones a third as long as Horner's
    /// unfused form, under which ConvNeXt's gelu took half as long as the
    /// Dense layer before it: gelu from 1.12 to 0.67 ns a value on Zen 4 (AVX-512),
    /// from 1.48 to 0.85 compiled for Zen 3 (AVX2), and no less accurate
    /// (`Tools/vector-math/activation_speed.sh [cpu]` times them).
    @inlinable @inline(__always)
    public static func erfc(_ x: Vector) -> Vector {
        let z = x.replacing(with: -x, where: x .< 0)
        let t = 1 / Vector(repeating: 1).addingProduct(z, Vector(repeating: 0.5))
        let t2 = t * t, t4 = t2 * t2, t8 = t4 * t4
        /// c0 + c1·t, the coefficients of t^0 … t^9 in pairs.
        func pair(_ c0: Float, _ c1: Float) -> Vector { Vector(repeating: c0).addingProduct(Vector(repeating: c1), t) }
        let low = pair(-1.265_512_23, 1.000_023_68).addingProduct(pair(0.374_091_96, 0.096_784_18), t2)
        let middle = pair(-0.186_288_06, 0.278_868_07).addingProduct(pair(-1.135_203_98, 1.488_515_87), t2)
        let p = low.addingProduct(middle, t4).addingProduct(pair(-0.822_152_23, 0.170_872_77), t8)
        // −z² + P(t) is at most P(1) ≈ −2e-8 and above −87.3 keeps e^y normal.
        let positive = t * shortExp(clamp(p.addingProduct(-z, z), -87.3, 0))
        // shortExp of a NaN need not be NaN (its payload reaches the exponent bits).
        return positive.replacing(with: 2 - positive, where: x .< 0).replacing(with: x, where: x .!= x)
    }

    /// max(x, 0) with NaN passed on.
    @inlinable @inline(__always)
    static func positivePart(_ x: Vector) -> Vector { x.replacing(with: 0, where: x .< 0) }

    // MARK: Activations

    /// silu (swish): x·sigmoid(x), as x/(1 + e^{−x}): one division, one
    /// rounding fewer than the product (within 2.3 ulp, against 2.7). Below
    /// −87.3, x·0, as the product with sigmoid's 0 there (NaN at −∞, as in
    /// Keras); a NaN x needs no blend of its own.
    @inlinable @inline(__always)
    public static func silu(_ x: Vector) -> Vector {
        (x / (1 + expOfNegated(x))).replacing(with: x * 0, where: x .< -87.3)
    }

    /// min(max(x, 0), 6).
    @_transparent
    public static func relu6(_ x: Vector) -> Vector { clamp(x, 0, 6) }

    /// Keras 3's hard_sigmoid: relu6(x + 3)/6.
    @_transparent
    public static func hardSigmoid(_ x: Vector) -> Vector { clamp(x + 3, 0, 6) / 6 }

    /// hard_silu (hard_swish): x·hard_sigmoid(x).
    @_transparent
    public static func hardSilu(_ x: Vector) -> Vector { x * hardSigmoid(x) }

    /// The exact gelu, as JAX writes it: (x/2)·erfc(−x/√2).
    @inlinable @inline(__always)
    public static func gelu(_ x: Vector) -> Vector { 0.5 * x * erfc(-x * 0.707_106_78) }

    /// elu: x > 0 ? x : e^x − 1.
    @inlinable @inline(__always)
    public static func elu(_ x: Vector) -> Vector { elu(x, alpha: 1) }

    /// elu with alpha: x > 0 ? x : alpha·(e^x − 1).
    @inlinable @inline(__always)
    public static func elu(_ x: Vector, alpha: Float) -> Vector {
        (alpha * expm1(x.replacing(with: 0, where: x .> 0))).replacing(with: x, where: x .> 0 .| x .!= x)
    }

    /// selu: scale·elu(x, alpha) with JAX's constants.
    @inlinable @inline(__always)
    public static func selu(_ x: Vector) -> Vector { 1.050_700_987_355_480_5 * elu(x, alpha: 1.673_263_242_354_377_3) }

    /// softplus, as JAX's logaddexp(x, 0): max(x, 0) + log(1 + e^{−|x|}).
    @inlinable @inline(__always)
    public static func softplus(_ x: Vector) -> Vector {
        let negativeMagnitude = x.replacing(with: -x, where: x .> 0)
        return (positivePart(x) + log1pUnit(exp(negativeMagnitude))).replacing(with: x, where: x .!= x)
    }

    /// x/(|x| + 1).
    @_transparent
    public static func softsign(_ x: Vector) -> Vector { x / (x.replacing(with: -x, where: x .< 0) + 1) }

    /// x ≥ 0 ? x : slope·x.
    @inlinable @inline(__always)
    public static func leakyReLU(_ x: Vector, slope: Float) -> Vector { x.replacing(with: slope * x, where: x .< 0) }

    /// tanh(softplus(x)) = w/(w + 2) with n = e^x, w = n(n + 2): exact, with
    /// nothing that cancels. x is capped at 20, where it is 1 in float32.
    @inlinable @inline(__always)
    static func tanhOfSoftplus(_ x: Vector) -> (value: Vector, complement: Vector, n: Vector) {
        let n = exp(x.replacing(with: 20, where: x .> 20))
        let w = n * (n + 2)
        return (w / (w + 2), 2 / (w + 2), n)
    }

    /// mish: x·tanh(softplus(x)).
    @inlinable @inline(__always)
    public static func mish(_ x: Vector) -> Vector { (x * tanhOfSoftplus(x).value).replacing(with: x, where: x .!= x) }

    // MARK: Derivatives at the input x

    /// sigmoid(x)·(1 + x·(1 − sigmoid(x))).
    @inlinable @inline(__always)
    public static func siluDerivative(_ x: Vector) -> Vector {
        let s = sigmoid(x)
        return s * (1 + x * (1 - s))
    }

    /// 1 strictly between 0 and 6 (JAX's rule at the corners), else 0.
    @inlinable @inline(__always)
    public static func relu6Derivative(_ x: Vector) -> Vector {
        Vector(repeating: 0).replacing(with: 1, where: x .> 0 .& x .< 6)
    }

    /// 1/6 strictly between −3 and 3, else 0.
    @inlinable @inline(__always)
    public static func hardSigmoidDerivative(_ x: Vector) -> Vector {
        Vector(repeating: 0).replacing(with: 1.0 / 6, where: x + 3 .> 0 .& x + 3 .< 6)
    }

    @inlinable @inline(__always)
    public static func hardSiluDerivative(_ x: Vector) -> Vector { hardSigmoid(x) + x * hardSigmoidDerivative(x) }

    /// Φ(x) + x·φ(x) = erfc(−x/√2)/2 + x·e^{−x²/2}/√(2π).
    @inlinable @inline(__always)
    public static func geluDerivative(_ x: Vector) -> Vector {
        // A NaN x is NaN through erfc, whatever shortExp makes of it.
        0.5 * erfc(-x * 0.707_106_78) + x * shortExp(clamp(-0.5 * x * x, -87.3, 0)) * 0.398_942_28
    }

    @inlinable @inline(__always)
    public static func eluDerivative(_ x: Vector) -> Vector { eluDerivative(x, alpha: 1) }

    /// x > 0 ? 1 : alpha·e^x.
    @inlinable @inline(__always)
    public static func eluDerivative(_ x: Vector, alpha: Float) -> Vector {
        (alpha * exp(x)).replacing(with: 1, where: x .> 0)
    }

    @inlinable @inline(__always)
    public static func seluDerivative(_ x: Vector) -> Vector { 1.050_700_987_355_480_5 * eluDerivative(x, alpha: 1.673_263_242_354_377_3) }

    @inlinable @inline(__always)
    public static func softplusDerivative(_ x: Vector) -> Vector { sigmoid(x) }

    /// 1/(1 + |x|)².
    @inlinable @inline(__always)
    public static func softsignDerivative(_ x: Vector) -> Vector {
        let d = x.replacing(with: -x, where: x .< 0) + 1
        return 1 / (d * d)
    }

    @inlinable @inline(__always)
    public static func leakyReLUDerivative(_ x: Vector, slope: Float) -> Vector {
        Vector(repeating: 1).replacing(with: slope, where: x .< 0)
    }

    /// tanh(sp) + x·sech²(sp)·sigmoid(x), sp = softplus(x), with
    /// sech² = (1 − t)(1 + t) from the exact 1 − t, and sigmoid(x) = n/(1 + n).
    @inlinable @inline(__always)
    public static func mishDerivative(_ x: Vector) -> Vector {
        let (t, complement, n) = tanhOfSoftplus(x)
        return t + x * complement * (1 + t) * (n / (1 + n))
    }

    // MARK: Over buffers

    /// g[i] *= derivative(x[i]) for `count` floats, 16 at a time, the tail in
    /// a partly filled vector as `apply` does.
    @inlinable @inline(__always)
    public static func multiply(_ g: UnsafeMutablePointer<Float>, byDerivative derivative: (Vector) -> Vector,
                                at x: UnsafePointer<Float>, count: Int) {
        var start = 0
        while start + 16 <= count {
            g.store(g.simd(Vector.self, at: start) * derivative(x.simd(Vector.self, at: start)), at: start)
            start += 16
        }
        guard start < count else { return }
        var tail = Vector()
        for lane in 0..<(count - start) { tail[lane] = x[start + lane] }
        let result = derivative(tail)
        for lane in 0..<(count - start) { g[start + lane] *= result[lane] }
    }
}
