import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// The vectorized exp, tanh and sigmoid against Foundation's Double versions,
/// in units in the last place of the float32 result, over dense grids and at
/// the values where such code usually breaks (0, ±infinity, NaN, the ends of
/// the clamped range, the switch between tanh's two formulas).
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

    @Test func tanhIsWithinOneAndAHalfUlp() {
        let x = Self.grid(from: -10, to: 10, count: 200_003) + Self.grid(from: -0.001, to: 0.001, count: 1_001) + [0.625, -0.625, 0.624_999_9]
        let y = Self.applied(VectorMath.tanh(_:count:), to: x)
        let worst = zip(x, y).map { Self.ulps($1, Foundation.tanh(Double($0))) }.max() ?? .infinity
        #expect(worst <= 1.5, "tanh: \(worst) ulp")
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
        #expect(sigmoid[0] < 1e-37 && sigmoid[1] == 1 && sigmoid[2] == 0.5 && sigmoid[3].isNaN)
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
