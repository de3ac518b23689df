import CNNCRuntime
import Testing

/// CNNCRuntime's SIMD operators (CNNCSIMD's C vector operations) give the
/// same bits as the standard library's lane-by-lane arithmetic they replace,
/// at every width generated code uses, on values where arithmetic usually
/// differs: signed zeros, subnormals, infinities, NaN, and the largest floats.
@Suite struct SIMDArithmeticTests {
    static let special: [Float] = [0, -0.0, 1, -1, 0.5, 3, -7.25, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                                   .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan, 1e-30, 6.5e37]

    /// Every special value against every other, then random ones, lane by lane.
    static func operands(_ count: Int) -> (a: [Float], b: [Float], c: [Float]) {
        var generator = SplitMix64(seed: 7)
        var a: [Float] = [], b: [Float] = [], c: [Float] = []
        for x in special { for y in special { a.append(x); b.append(y); c.append(special[(a.count * 7) % special.count]) } }
        for _ in 0..<count {
            func draw() -> Float { Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }
            a.append(draw()); b.append(draw()); c.append(draw())
        }
        return (a, b, c)
    }

    /// The same bits, or NaN for NaN (C's vector and the scalar code may quiet a NaN's payload differently).
    static func same(_ x: Float, _ y: Float) -> Bool { x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }

    /// Runs `vector` over the operands `lanes` at a time and compares with `lane` applied one value at a time.
    static func check<V: SIMD>(_ type: V.Type, _ name: String, _ vector: (V, V, V) -> V, _ lane: (Float, Float, Float) -> Float) where V.Scalar == Float {
        let (a, b, c) = operands(4_000)
        var mismatches: [String] = []
        for start in stride(from: 0, to: a.count - V.scalarCount + 1, by: V.scalarCount) {
            let range = start..<(start + V.scalarCount)
            let result = vector(V(a[range]), V(b[range]), V(c[range]))
            for (offset, index) in range.enumerated() where !same(result[offset], lane(a[index], b[index], c[index])) {
                mismatches.append("\(a[index]), \(b[index]), \(c[index]) → \(result[offset])")
            }
        }
        #expect(mismatches.isEmpty, "\(name) on SIMD\(V.scalarCount): \(mismatches.prefix(3))")
    }

    /// Each closure is written at a concrete width, so it picks CNNCRuntime's
    /// overload exactly as generated code does.
    @Test func floatArithmeticMatchesTheLaneByLaneResult() {
        Self.checkOperations(SIMD4<Float>.self, add: { $0 + $1 }, subtract: { $0 - $1 }, multiply: { $0 * $1 }, divide: { $0 / $1 },
                             negate: { -$0 }, fma: { $0.addingProduct($1, $2) }, mix: { 2 * $0 - $1 / 3 + 0.5 },
                             select: { $0.replacing(with: $1, where: $0 .< $2) }, clamp: { $0.replacing(with: 0, where: $0 .< 0) })
        Self.checkOperations(SIMD8<Float>.self, add: { $0 + $1 }, subtract: { $0 - $1 }, multiply: { $0 * $1 }, divide: { $0 / $1 },
                             negate: { -$0 }, fma: { $0.addingProduct($1, $2) }, mix: { 2 * $0 - $1 / 3 + 0.5 },
                             select: { $0.replacing(with: $1, where: $0 .< $2) }, clamp: { $0.replacing(with: 0, where: $0 .< 0) })
        Self.checkOperations(SIMD16<Float>.self, add: { $0 + $1 }, subtract: { $0 - $1 }, multiply: { $0 * $1 }, divide: { $0 / $1 },
                             negate: { -$0 }, fma: { $0.addingProduct($1, $2) }, mix: { 2 * $0 - $1 / 3 + 0.5 },
                             select: { $0.replacing(with: $1, where: $0 .< $2) }, clamp: { $0.replacing(with: 0, where: $0 .< 0) })
    }

    static func checkOperations<V: SIMD>(_ type: V.Type, add: (V, V) -> V, subtract: (V, V) -> V, multiply: (V, V) -> V, divide: (V, V) -> V,
                                         negate: (V) -> V, fma: (V, V, V) -> V, mix: (V, V) -> V, select: (V, V, V) -> V, clamp: (V) -> V) where V.Scalar == Float {
        check(type, "+", { a, b, _ in add(a, b) }, { a, b, _ in a + b })
        check(type, "-", { a, b, _ in subtract(a, b) }, { a, b, _ in a - b })
        check(type, "*", { a, b, _ in multiply(a, b) }, { a, b, _ in a * b })
        check(type, "/", { a, b, _ in divide(a, b) }, { a, b, _ in a / b })
        check(type, "prefix -", { a, _, _ in negate(a) }, { a, _, _ in -a })
        check(type, "addingProduct", fma, { a, b, c in a.addingProduct(b, c) })
        check(type, "scalar mixes", { a, b, _ in mix(a, b) }, { a, b, _ in 2 * a - b / 3 + 0.5 })
        check(type, "replacing(with: Self)", select, { a, b, c in a < c ? b : a })
        check(type, "replacing(with: Float)", { a, _, _ in clamp(a) }, { a, _, _ in a < 0 ? 0 : a })
    }

    @Test func integerLanesWrapAsSwiftsOperatorsDo() {
        let values: [Int32] = [0, 1, -1, .max, .min, 127, 0x7F80_0000, -0x8000_0000, 12_345_678, -99, 23, 31, 32, 33, 64, 5]
        let a = SIMD16<Int32>(values), b = SIMD16<Int32>(values.reversed())
        var expected = (sum: a, difference: a, shifted: a, and: a, or: a, not: a, plus: a)
        for lane in 0..<16 {
            expected.sum[lane] = a[lane] &+ b[lane]
            expected.difference[lane] = a[lane] &- b[lane]
            expected.shifted[lane] = a[lane] &<< 23
            expected.and[lane] = a[lane] & b[lane]
            expected.or[lane] = a[lane] | b[lane]
            expected.not[lane] = ~a[lane]
            expected.plus[lane] = a[lane] &+ 127
        }
        #expect(a &+ b == expected.sum && a &- b == expected.difference && a &<< 23 == expected.shifted)
        #expect((a & b) == expected.and && (a | b) == expected.or && ~a == expected.not && a &+ 127 == expected.plus)
    }

    /// Loads and stores at every misalignment of a float, and nothing outside the vector is touched.
    @Test func unalignedLoadsAndStoresMoveExactlyTheirLanes() {
        var memory = (0..<64).map { Float($0) }
        memory.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for offset in 0..<4 {
                #expect(UnsafePointer(base).simd(SIMD16<Float>.self, at: offset) == SIMD16((offset..<(offset + 16)).map(Float.init)))
                #expect(base.simd(SIMD8<Float>.self, at: offset) == SIMD8((offset..<(offset + 8)).map(Float.init)))
                #expect(base.simd(SIMD4<Float>.self, at: offset) == SIMD4((offset..<(offset + 4)).map(Float.init)))
            }
            base.store(SIMD16<Float>(repeating: -1), at: 33)
            base.store(SIMD8<Float>(repeating: -2), at: 1)
            base.store(SIMD4<Float>(repeating: -3), at: 11)
        }
        let expected = (0..<64).map { index -> Float in
            if (33..<49).contains(index) { return -1 }
            if (1..<9).contains(index) { return -2 }
            if (11..<15).contains(index) { return -3 }
            return Float(index)
        }
        #expect(memory == expected)
    }
}
