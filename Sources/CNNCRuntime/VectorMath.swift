import CNNCSIMD

/// exp, tanh and the logistic sigmoid on 16 floats at once, for generated
/// activations: the C library's `expf` and `tanhf` cost a call per value, and
/// in a small network like LeNet-5 they were two thirds of the time.
///
/// Accuracy (Tools/vector-math/fit_coefficients.py fits the coefficients and
/// measures it; VectorMathTests checks it against Double): exp within 1 ulp
/// over [-87.3, 88], sigmoid within 2.5 ulp, tanh within 5.6 ulp everywhere.
///
/// Multiply-adds are fused (`addingProduct`: one rounding), which IEEE 754
/// defines exactly, so the results are the same bits on every CPU: compiled
/// for one without FMA instructions, each becomes a library call per lane,
/// slower but equal. Fused, silu is 30% faster and tanh 25% on Zen 3 than
/// with each product and sum rounded on its own: EfficientNet's swish waits on
/// its chain of dependent operations, and a fused one is one link instead of two.
public enum VectorMath {
    public typealias Vector = SIMD16<Float>
    @usableFromInline typealias Bits = SIMD16<Int32>

    /// e^y: y = n·ln2 + r with |r| ≤ ln2/2, e^r from a degree-7 polynomial,
    /// 2^n put straight into the exponent bits. Inputs are clamped to
    /// [-87.3, 88], where float32's own exp would underflow or overflow.
    /// Transparent: `@inline(__always)` still left it a call from tanh and
    /// sigmoid (with the vector split over four registers), at half the speed.
    @_transparent
    public static func exp(_ y: Vector) -> Vector {
        expWithinRange(clamp(y, -87.3, 88)).replacing(with: y, where: y .!= y)  // NaN in, NaN out
    }

    /// exp for y already in [-87.3, 88] and not NaN: the same bits as `exp`
    /// there, without the clamp and NaN blends.
    @_transparent
    @usableFromInline static func expWithinRange(_ clamped: Vector) -> Vector {
        let (r, n) = reduced(clamped)
        return expOfReduced(r) * power(n)
    }

    /// e^r for |r| ≤ ln2/2, `reduced`'s r.
    @_transparent
    @usableFromInline static func expOfReduced(_ r: Vector) -> Vector {
        // Estrin's scheme for the terms of degree 2 to 7 (pairs, then pairs of
        // pairs), added to r and then to 1 last, so the chain of dependent
        // operations is 8 long instead of Horner's 16: tanh and sigmoid wait
        // on this chain, not on the arithmetic units.
        let r2 = r * r
        let r4 = r2 * r2
        let low = Vector(repeating: 0.5).addingProduct(Vector(repeating: 0.166_666_66), r) * r2
        let high = Vector(repeating: 0.041_666_27).addingProduct(Vector(repeating: 0.008_333_43), r)
            .addingProduct(Vector(repeating: 0.001_394_602_1).addingProduct(Vector(repeating: 0.000_198_264_96), r), r2)
        return 1 + (r + low.addingProduct(high, r4))
    }

    /// 2^n, put straight into the exponent bits: n in [−126, 127].
    @_transparent
    @usableFromInline static func power(_ n: Bits) -> Vector {
        unsafeBitCast((n &+ 127) &<< 23, to: Vector.self)
    }

    /// y = n·ln2 + r with |r| ≤ ln2/2, for y in [-87.3, 88]: r, and n as an integer.
    @_transparent
    @usableFromInline static func reduced(_ y: Vector) -> (r: Vector, n: Bits) {
        // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
        let magic = Vector(repeating: 12_582_912)
        let shifted = magic.addingProduct(y, Vector(repeating: 1.442_695_04))
        let n = shifted - magic
        // ln2 in two parts (Cody and Waite), so n·ln2 is exact in the first.
        let r = y.addingProduct(n, Vector(repeating: -0.693_359_375)).addingProduct(n, Vector(repeating: 2.121_944_4e-4))
        return (r, unsafeBitCast(shifted, to: Bits.self) &- unsafeBitCast(magic, to: Bits.self))
    }

    /// tanh: x·P(x²)/Q(x²), both of degree 4 in x², for |x| capped at 9
    /// (where tanh rounds to 1), and the result capped at ±1, which the
    /// rational form overshoots by an ulp or two near the cap. Within 5.6 ulp
    /// (`Tools/vector-math/fit_coefficients.py` fits and measures it): what
    /// Keras's own backends give, TensorFlow's and ONNX Runtime's tanh
    /// (Eigen's and MLAS's rational forms) 5.5 ulp, JAX's 4.6, measured over
    /// [−10, 10]. It replaced a polynomial near 0 and 1 − 2/(e^{2|x|} + 1)
    /// beyond (1.3 ulp) at 2.3 times the speed: tanh after LeNet-5's
    /// convolutions was a third of its time. All coefficients are positive,
    /// so nothing cancels in the sums; tiny x comes out as x itself.
    @inlinable @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let capped = clamp(x, -9, 9)
        let square = capped * capped
        var p = Vector(repeating: 1.344_965_6e-08)
        p = Vector(repeating: 2.068_552_7e-05).addingProduct(p, square)
        p = Vector(repeating: 0.003_500_590_8).addingProduct(p, square)
        p = Vector(repeating: 0.133_853_63).addingProduct(p, square)
        p = Vector(repeating: 1).addingProduct(p, square)
        var q = Vector(repeating: 7.817_742_5e-07)
        q = Vector(repeating: 0.000_329_356_17).addingProduct(q, square)
        q = Vector(repeating: 0.025_896_396).addingProduct(q, square)
        q = Vector(repeating: 0.467_186_84).addingProduct(q, square)
        q = Vector(repeating: 1).addingProduct(q, square)
        // NaN passes both clamps and the arithmetic unchanged.
        return clamp(capped * p / q, -1, 1)
    }

    /// The logistic sigmoid 1/(1 + e^{−x}). Below x = −87.3 the result is
    /// smaller than float32's least normal number (2^−126) and is flushed to
    /// 0, as CPU code running with flush-to-zero (TensorFlow's) returns it:
    /// making the subnormal costs AMD and Intel cores a microcode assist per
    /// vector, and untrained EfficientNet's swish inputs go there often enough
    /// to double the time of its activations (measured on Zen 3).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector {
        // NaN passes the clamp, and the last blend puts it back as it came.
        (1 / (1 + expOfNegated(x))).replacing(with: 0, where: x .< -87.3).replacing(with: x, where: x .!= x)
    }

    /// e^{−x} for sigmoid and silu, −x clamped to [−87.3, 87.3].
    @_transparent
    @usableFromInline static func expOfNegated(_ x: Vector) -> Vector {
        shortExp(clamp(-x, -87.3, 87.3))
    }

    /// e^y for sigmoid, silu and erfc, y already in [−87.3, 87.3]: cheaper
    /// than `exp`, because what follows rounds anyway (sigmoid's 1 + e and
    /// division, erfc's product with t).
    /// A degree-6 polynomial (Tools/vector-math/fit_coefficients.py fits it
    /// and measures sigmoid: within 2.5 ulp, as with `exp`'s degree 7), and 2^n added to the exponent
    /// bits instead of multiplied in, which the range keeps a normal number
    /// (n in [−126, 126]). EfficientNet's swish is a third of its time: with
    /// silu as one division and no NaN blend, this made silu about 11% faster on
    /// Zen 3, where its chain of dependent operations, not the arithmetic
    /// units, sets the pace.
    @_transparent
    @usableFromInline static func shortExp(_ clamped: Vector) -> Vector {
        let (r, n) = reduced(clamped)
        let r2 = r * r
        let low = Vector(repeating: 0.499_999_88).addingProduct(Vector(repeating: 0.166_665_18), r)
        let high = Vector(repeating: 0.041_669_53).addingProduct(Vector(repeating: 0.008_368_916), r).addingProduct(Vector(repeating: 0.001_375_140_7), r2)
        let p = 1 + r.addingProduct(r2, low.addingProduct(high, r2))
        return unsafeBitCast(unsafeBitCast(p, to: Bits.self) &+ (n &<< 23), to: Vector.self)
    }

    /// Each lane limited to [low, high] by x86's MINPS and MAXPS (`cnnc_clamp_f16`),
    /// the same bits as comparisons and blends, which LLVM turned into three
    /// operations a bound: tanh 17% faster on Zen 4 (`cnnc bench` of a lone
    /// Activation on 32x32x16, less the copies of a linear one). The standard
    /// library's `clamped` goes lane by lane through scalar code. NaN stays NaN.
    @_transparent
    @usableFromInline static func clamp(_ x: Vector, _ low: Float, _ high: Float) -> Vector {
        cnnc_clamp_f16(x, Vector(repeating: low), Vector(repeating: high))
    }

    /// A vector of 8 or 4 floats as VectorMath's 16, padded with copies of
    /// itself: an activation that runs in a convolution's store
    /// (`StoreEpilogue`) gets that kernel's vectors, narrower on AVX2 or for
    /// few channels, and keeps the low lanes of the result. The compiler drops
    /// the copies' arithmetic where it splits the 16 lanes into registers.
    /// (Passing the activation to a helper as a function value left it a call,
    /// with its vectors through the stack, at a third of the speed.)
    @inlinable @inline(__always)
    public static func widened(_ x: SIMD8<Float>) -> Vector { Vector(lowHalf: x, highHalf: x) }

    @inlinable @inline(__always)
    public static func widened(_ x: SIMD4<Float>) -> Vector { widened(SIMD8(lowHalf: x, highHalf: x)) }

    /// Applies `function` to `count` floats in place, 16 at a time; the last
    /// few go through a partly filled vector, so every value gets the same
    /// arithmetic wherever it sits.
    @inlinable @inline(__always)
    public static func apply(_ function: (Vector) -> Vector, to x: UnsafeMutablePointer<Float>, count: Int) {
        var start = 0
        while start + 16 <= count {
            x.store(function(x.simd(Vector.self, at: start)), at: start)
            start += 16
        }
        guard start < count else { return }
        var tail = Vector()
        for lane in 0..<(count - start) { tail[lane] = x[start + lane] }
        let result = function(tail)
        for lane in 0..<(count - start) { x[start + lane] = result[lane] }
    }

    @inlinable @inline(__always)
    public static func exp(_ x: UnsafeMutablePointer<Float>, count: Int) { apply(exp, to: x, count: count) }

    @inlinable @inline(__always)
    public static func tanh(_ x: UnsafeMutablePointer<Float>, count: Int) { apply(tanh, to: x, count: count) }

    @inlinable @inline(__always)
    public static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) { apply(sigmoid, to: x, count: count) }
}
