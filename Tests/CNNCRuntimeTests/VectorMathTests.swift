import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// The vectorized exp, tanh and sigmoid against Foundation's Double versions,
/// in units in the last place of the float32 result, over dense grids and at
/// the values where such code usually breaks (0, ±infinity, NaN, the ends of
/// the clamped range, tanh's cap).
@Suite struct VectorMathTests {
    /// |approximation − exact| in float32 ulps of the exact value.
    static func ulps(_ approximation: Float, _ exact: Double) -> Double {
        let ulp = Double(Float(exact).magnitude.ulp)
        return abs(Double(approximation) - exact) / Swift.max(ulp, Double(Float.leastNormalMagnitude))
    }

    static func grid(from low: Float, to high: Float, count: Int) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    static func applied(_ function: (UnsafeMutablePointer<Float>, Int) -> Void, to values: [Float]) -> [Float] {
        var result = values
        result.withUnsafeMutableBufferPointer { function($0.baseAddress!, $0.count) }
        return result
    }

    /// (88 and beyond are clamped to e^88: float32's exp overflows at 88.72.)
    @Test func expIsWithinOneAndAHalfUlp() {
        let x = Self.grid(from: -87, to: 87.9, count: 200_003)
        let y = Self.applied(VectorMath.exp(_:count:), to: x)
        let worst = zip(x, y).map { Self.ulps($1, Foundation.exp(Double($0))) }.max() ?? .infinity
        #expect(worst <= 1.5, "exp: \(worst) ulp")
        #expect(Self.applied(VectorMath.exp(_:count:), to: [0]) == [1])
    }

    /// The `exponential` activation over float32's whole range, as Keras's
    /// e^x: within 1.5 ulp from −87 to 88.72 (past `exp`'s clamp at 88),
    /// +inf above, subnormals below −87.3 within one of their steps, 0 below −103.98.
    @Test func exponentialCoversFloatsWholeRange() {
        func exponential(_ values: [Float]) -> [Float] {
            Self.applied({ x, count in VectorMath.apply(VectorMath.exponential, to: x, count: count) }, to: values)
        }
        let x = Self.grid(from: -87, to: 88.72, count: 100_003)
        let worst = zip(x, exponential(x)).map { Self.ulps($1, Foundation.exp(Double($0))) }.max() ?? .infinity
        #expect(worst <= 1.5, "exponential: \(worst) ulp")
        let tiny = Self.grid(from: -103.9, to: -87, count: 10_007)
        let subnormalSteps = zip(tiny, exponential(tiny)).map { abs(Double($1) - Foundation.exp(Double($0))) / Double(Float.leastNonzeroMagnitude) }.max() ?? .infinity
        #expect(subnormalSteps <= 1, "exponential below -87: \(subnormalSteps) subnormal steps")
        #expect(exponential([88.5, 88.73, 89, 200, -104, -200]) == [Float(Foundation.exp(88.5)), .infinity, .infinity, .infinity, 0, 0])
        #expect(exponential([.nan])[0].isNaN && exponential([.infinity, -.infinity]) == [.infinity, 0])
    }

    /// Keras's backends are no closer: TensorFlow's and ONNX Runtime's tanh
    /// are within 5.5 ulp, JAX's within 4.6 (VectorMath.tanh says why).
    @Test func tanhIsWithinSixUlpAndNeverBeyondOne() {
        // Every 64th float in [4, 9.5], where the rational form nears its cap and 1.
        let nearOne = stride(from: Float(4).bitPattern, to: Float(9.5).bitPattern, by: 64).map { Float(bitPattern: $0) }
        let x = Self.grid(from: -10, to: 10, count: 200_003) + Self.grid(from: -0.001, to: 0.001, count: 1_001) + nearOne + nearOne.map { -$0 }
        let y = Self.applied(VectorMath.tanh(_:count:), to: x)
        let worst = zip(x, y).map { Self.ulps($1, Foundation.tanh(Double($0))) }.max() ?? .infinity
        #expect(worst <= 6, "tanh: \(worst) ulp")
        #expect(y.allSatisfy { $0.magnitude <= 1 })
        #expect(zip(x, y).allSatisfy { ($0 < 0) == ($1 < 0) }, "tanh keeps the sign")
    }

    /// Below −87.3 sigmoid's value is subnormal (or 0) in float32; it is
    /// flushed to 0, and nothing on the way makes a subnormal either (each
    /// costs a microcode assist), so silu's product stays normal or zero too.
    @Test func sigmoidAndSiluNeverReturnASubnormal() {
        let x = Self.grid(from: -200, to: -80, count: 20_003)
        let sigmoid = Self.applied(VectorMath.sigmoid(_:count:), to: x)
        let silu = Self.applied({ VectorMath.apply(VectorMath.silu, to: $0, count: $1) }, to: x)
        #expect(sigmoid.allSatisfy { $0 == 0 || $0 >= Float.leastNormalMagnitude })
        #expect(silu.allSatisfy { $0 == 0 || $0.magnitude >= Float.leastNormalMagnitude })
        #expect(zip(x, sigmoid).allSatisfy { $0 >= -87.3 || $1 == 0 })
    }

    @Test func sigmoidIsWithinThreeUlpAndBounded() {
        let x = Self.grid(from: -80, to: 80, count: 100_003)
        let y = Self.applied(VectorMath.sigmoid(_:count:), to: x)
        let worst = zip(x, y).map { Self.ulps($1, 1 / (1 + Foundation.exp(-Double($0)))) }.max() ?? .infinity
        #expect(worst <= 3, "sigmoid: \(worst) ulp")
        #expect(y.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func specialValues() {
        let tanh = Self.applied(VectorMath.tanh(_:count:), to: [0, -0.0, .infinity, -.infinity, 1e30, -1e30, .nan, 1e-30])
        #expect(tanh[0] == 0 && tanh[1] == 0 && tanh[1].sign == .minus)
        #expect(tanh[2] == 1 && tanh[3] == -1 && tanh[4] == 1 && tanh[5] == -1)
        #expect(tanh[6].isNaN)
        #expect(tanh[7] == 1e-30)
        let exp = Self.applied(VectorMath.exp(_:count:), to: [-.infinity, -1000, 1000, .nan])
        #expect(exp[0] >= 0 && exp[0] < 1e-37 && exp[1] < 1e-37)
        #expect(exp[2] > 1e38 && exp[2].isFinite)
        #expect(exp[3].isNaN)
        let sigmoid = Self.applied(VectorMath.sigmoid(_:count:), to: [-.infinity, .infinity, 0, .nan])
        #expect(sigmoid[0] == 0 && sigmoid[1] == 1 && sigmoid[2] == 0.5 && sigmoid[3].isNaN)
    }

    /// A value gets the same bits in a whole vector and in a partly filled tail.
    @Test func tailsComputeWhatWholeVectorsDo() {
        let values = Self.grid(from: -3, to: 3, count: 37)
        let whole = Self.applied(VectorMath.tanh(_:count:), to: values)
        for count in [1, 5, 15, 16, 17, 31] {
            #expect(Array(Self.applied(VectorMath.tanh(_:count:), to: Array(values.prefix(count)))) == Array(whole.prefix(count)))
        }
    }
}

/// Keras's other activations (`VectorMath+Activations.swift`) and their
/// derivatives against the same formulas in Double, over [-20, 20] densely
/// and at the corners of the piecewise ones.
@Suite struct ActivationVectorMathTests {
    typealias Vector = VectorMath.Vector

    static let sweep = VectorMathTests.grid(from: -20, to: 20, count: 40_003)
        + VectorMathTests.grid(from: -0.01, to: 0.01, count: 1_001) + [-6, -3, 0, 3, 6, -0.5, 0.5]

    /// The worst error of `function` against `exact` over the sweep, in ulps
    /// of the exact value, or with `square` as the relative error
    /// |error|/max(|exact|, 1e-30) divided by 1 + square(x).
    static func worst(_ function: (Vector) -> Vector, _ exact: (Double) -> Double, relativeOver square: ((Double) -> Double)? = nil) -> Double {
        let y = VectorMathTests.applied({ VectorMath.apply(function, to: $0, count: $1) }, to: sweep)
        return zip(sweep, y).map { x, value in
            let truth = exact(Double(x))
            if let square { return abs(Double(value) - truth) / Swift.max(abs(truth), 1e-30) / (1 + square(Double(x))) }
            return VectorMathTests.ulps(value, truth)
        }.max() ?? .infinity
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    static func softplus(_ x: Double) -> Double { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }
    static func hardSigmoid(_ x: Double) -> Double { Swift.min(Swift.max(x + 3, 0), 6) / 6 }
    static let alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946

    @Test func smoothActivationsAreWithinAFewUlp() {
        let results: [(String, Double, Double)] = [
            ("expm1", Self.worst(VectorMath.expm1, Foundation.expm1), 3),
            ("silu", Self.worst(VectorMath.silu) { $0 * Self.sigmoid($0) }, 4),
            ("elu", Self.worst(VectorMath.elu) { $0 > 0 ? $0 : Foundation.expm1($0) }, 3),
            ("selu", Self.worst(VectorMath.selu) { Self.scale * ($0 > 0 ? $0 : Self.alpha * Foundation.expm1($0)) }, 4),
            ("softplus", Self.worst(VectorMath.softplus, Self.softplus), 3),
            ("softsign", Self.worst(VectorMath.softsign) { $0 / (abs($0) + 1) }, 1.5),
            ("mish", Self.worst(VectorMath.mish) { $0 * Foundation.tanh(Self.softplus($0)) }, 4),
            // erfc's e^{P(t) − x²} reduces a larger argument the larger x² is,
            // so its relative error grows as x²; gelu's also from x/√2 rounded
            // to float32, as in Keras.
            ("erfc", Self.worst(VectorMath.erfc, Foundation.erfc, relativeOver: { $0 * $0 }), 4e-7),
            ("gelu", Self.worst(VectorMath.gelu, { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }, relativeOver: { $0 * $0 / 2 }), 4e-7),
        ]
        for (name, worst, bound) in results { #expect(worst <= bound, "\(name): \(worst)") }
    }

    /// relu6, hard_sigmoid, hard_silu and leaky_relu are Keras's float32 operations, bit for bit.
    @Test func piecewiseActivationsAreExact() {
        let x = Self.sweep
        func run(_ function: @escaping (Vector) -> Vector) -> [Float] {
            VectorMathTests.applied({ VectorMath.apply(function, to: $0, count: $1) }, to: x)
        }
        #expect(run(VectorMath.relu6) == x.map { Swift.min(Swift.max($0, 0), 6) })
        #expect(run(VectorMath.hardSigmoid) == x.map { Swift.min(Swift.max($0 + 3, 0), 6) / 6 })
        #expect(run(VectorMath.hardSilu) == x.map { $0 * (Swift.min(Swift.max($0 + 3, 0), 6) / 6) })
        #expect(run({ VectorMath.leakyReLU($0, slope: 0.2) }) == x.map { $0 >= 0 ? $0 : 0.2 * $0 })
    }

    /// Each derivative against a central difference of the Double formula
    /// (away from the corners), within 1e-5 relative to max(1, |derivative|).
    @Test func derivativesMatchDifferences() {
        let points = VectorMathTests.grid(from: -12, to: 12, count: 2_401).filter { x in [-6, -3, 0, 3, 6].allSatisfy { abs(x - Float($0)) > 1e-3 } }
        let cases: [(String, (Vector) -> Vector, (Double) -> Double)] = [
            ("silu", VectorMath.siluDerivative, { $0 * Self.sigmoid($0) }),
            ("relu6", VectorMath.relu6Derivative, { Swift.min(Swift.max($0, 0), 6) }),
            ("hard_sigmoid", VectorMath.hardSigmoidDerivative, Self.hardSigmoid),
            ("hard_silu", VectorMath.hardSiluDerivative, { $0 * Self.hardSigmoid($0) }),
            ("gelu", VectorMath.geluDerivative, { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }),
            ("elu", VectorMath.eluDerivative, { $0 > 0 ? $0 : Foundation.expm1($0) }),
            ("selu", VectorMath.seluDerivative, { Self.scale * ($0 > 0 ? $0 : Self.alpha * Foundation.expm1($0)) }),
            ("softplus", VectorMath.softplusDerivative, Self.softplus),
            ("softsign", VectorMath.softsignDerivative, { $0 / (abs($0) + 1) }),
            ("leaky_relu", { VectorMath.leakyReLUDerivative($0, slope: 0.2) }, { $0 >= 0 ? $0 : 0.2 * $0 }),
            ("mish", VectorMath.mishDerivative, { $0 * Foundation.tanh(Self.softplus($0)) }),
        ]
        for (name, derivative, function) in cases {
            var g = [Float](repeating: 1, count: points.count)
            points.withUnsafeBufferPointer { x in
                g.withUnsafeMutableBufferPointer { VectorMath.multiply($0.baseAddress!, byDerivative: derivative, at: x.baseAddress!, count: x.count) }
            }
            let worst = zip(points, g).map { x, value in
                let h = 1e-6, at = Double(x)
                let numerical = (function(at + h) - function(at - h)) / (2 * h)
                return abs(Double(value) - numerical) / Swift.max(1, abs(numerical))
            }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(name)'s derivative: \(worst)")
        }
    }

    @Test func nanStaysNaN() {
        let functions: [(Vector) -> Vector] = [VectorMath.silu, VectorMath.gelu, VectorMath.elu, VectorMath.selu,
                                               VectorMath.softplus, VectorMath.softsign, VectorMath.mish, VectorMath.hardSilu]
        for function in functions {
            #expect(VectorMathTests.applied({ VectorMath.apply(function, to: $0, count: $1) }, to: [.nan])[0].isNaN)
        }
    }
}
