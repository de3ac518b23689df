import CNNCSIMD

// The arithmetic of SIMD4, SIMD8 and SIMD16 of Float as one vector operation
// each (CNNCSIMD's header says why the standard library's does not compile to
// that). These overloads are more specific than the standard library's
// generic ones, so generated code and VectorMath pick them without naming
// them; every one gives the same bits as the operation it stands for.
// Transparent, so a build without optimization inlines them too.

extension SIMD4 where Scalar == Float {
    @_transparent public static func + (a: Self, b: Self) -> Self { cnnc_add_f4(a, b) }
    @_transparent public static func - (a: Self, b: Self) -> Self { cnnc_subtract_f4(a, b) }
    @_transparent public static func * (a: Self, b: Self) -> Self { cnnc_multiply_f4(a, b) }
    @_transparent public static func / (a: Self, b: Self) -> Self { cnnc_divide_f4(a, b) }
    @_transparent public static func + (a: Float, b: Self) -> Self { cnnc_add_f4(Self(repeating: a), b) }
    @_transparent public static func - (a: Float, b: Self) -> Self { cnnc_subtract_f4(Self(repeating: a), b) }
    @_transparent public static func * (a: Float, b: Self) -> Self { cnnc_multiply_f4(Self(repeating: a), b) }
    @_transparent public static func / (a: Float, b: Self) -> Self { cnnc_divide_f4(Self(repeating: a), b) }
    @_transparent public static func + (a: Self, b: Float) -> Self { cnnc_add_f4(a, Self(repeating: b)) }
    @_transparent public static func - (a: Self, b: Float) -> Self { cnnc_subtract_f4(a, Self(repeating: b)) }
    @_transparent public static func * (a: Self, b: Float) -> Self { cnnc_multiply_f4(a, Self(repeating: b)) }
    @_transparent public static func / (a: Self, b: Float) -> Self { cnnc_divide_f4(a, Self(repeating: b)) }
    @_transparent public static func += (a: inout Self, b: Self) { a = cnnc_add_f4(a, b) }
    @_transparent public static func -= (a: inout Self, b: Self) { a = cnnc_subtract_f4(a, b) }
    @_transparent public static func *= (a: inout Self, b: Self) { a = cnnc_multiply_f4(a, b) }
    @_transparent public static func /= (a: inout Self, b: Self) { a = cnnc_divide_f4(a, b) }
    @_transparent public static func += (a: inout Self, b: Float) { a = cnnc_add_f4(a, Self(repeating: b)) }
    @_transparent public static func -= (a: inout Self, b: Float) { a = cnnc_subtract_f4(a, Self(repeating: b)) }
    @_transparent public static func *= (a: inout Self, b: Float) { a = cnnc_multiply_f4(a, Self(repeating: b)) }
    @_transparent public static func /= (a: inout Self, b: Float) { a = cnnc_divide_f4(a, Self(repeating: b)) }
    @_transparent public static prefix func - (a: Self) -> Self { cnnc_negate_f4(a) }
    /// self + x·w, rounded once (a fused multiply-add where the CPU has one).
    @_transparent public func addingProduct(_ x: Self, _ w: Self) -> Self { cnnc_fma_f4(self, x, w) }
    @_transparent public func replacing(with other: Self, where mask: SIMDMask<SIMD4<Int32>>) -> Self {
        cnnc_select_f4(mask._storage, other, self)
    }
    @_transparent public func replacing(with other: Float, where mask: SIMDMask<SIMD4<Int32>>) -> Self {
        cnnc_select_f4(mask._storage, Self(repeating: other), self)
    }
}

extension SIMD8 where Scalar == Float {
    @_transparent public static func + (a: Self, b: Self) -> Self { cnnc_add_f8(a, b) }
    @_transparent public static func - (a: Self, b: Self) -> Self { cnnc_subtract_f8(a, b) }
    @_transparent public static func * (a: Self, b: Self) -> Self { cnnc_multiply_f8(a, b) }
    @_transparent public static func / (a: Self, b: Self) -> Self { cnnc_divide_f8(a, b) }
    @_transparent public static func + (a: Float, b: Self) -> Self { cnnc_add_f8(Self(repeating: a), b) }
    @_transparent public static func - (a: Float, b: Self) -> Self { cnnc_subtract_f8(Self(repeating: a), b) }
    @_transparent public static func * (a: Float, b: Self) -> Self { cnnc_multiply_f8(Self(repeating: a), b) }
    @_transparent public static func / (a: Float, b: Self) -> Self { cnnc_divide_f8(Self(repeating: a), b) }
    @_transparent public static func + (a: Self, b: Float) -> Self { cnnc_add_f8(a, Self(repeating: b)) }
    @_transparent public static func - (a: Self, b: Float) -> Self { cnnc_subtract_f8(a, Self(repeating: b)) }
    @_transparent public static func * (a: Self, b: Float) -> Self { cnnc_multiply_f8(a, Self(repeating: b)) }
    @_transparent public static func / (a: Self, b: Float) -> Self { cnnc_divide_f8(a, Self(repeating: b)) }
    @_transparent public static func += (a: inout Self, b: Self) { a = cnnc_add_f8(a, b) }
    @_transparent public static func -= (a: inout Self, b: Self) { a = cnnc_subtract_f8(a, b) }
    @_transparent public static func *= (a: inout Self, b: Self) { a = cnnc_multiply_f8(a, b) }
    @_transparent public static func /= (a: inout Self, b: Self) { a = cnnc_divide_f8(a, b) }
    @_transparent public static func += (a: inout Self, b: Float) { a = cnnc_add_f8(a, Self(repeating: b)) }
    @_transparent public static func -= (a: inout Self, b: Float) { a = cnnc_subtract_f8(a, Self(repeating: b)) }
    @_transparent public static func *= (a: inout Self, b: Float) { a = cnnc_multiply_f8(a, Self(repeating: b)) }
    @_transparent public static func /= (a: inout Self, b: Float) { a = cnnc_divide_f8(a, Self(repeating: b)) }
    @_transparent public static prefix func - (a: Self) -> Self { cnnc_negate_f8(a) }
    /// self + x·w, rounded once (a fused multiply-add where the CPU has one).
    @_transparent public func addingProduct(_ x: Self, _ w: Self) -> Self { cnnc_fma_f8(self, x, w) }
    @_transparent public func replacing(with other: Self, where mask: SIMDMask<SIMD8<Int32>>) -> Self {
        cnnc_select_f8(mask._storage, other, self)
    }
    @_transparent public func replacing(with other: Float, where mask: SIMDMask<SIMD8<Int32>>) -> Self {
        cnnc_select_f8(mask._storage, Self(repeating: other), self)
    }
}

extension SIMD16 where Scalar == Float {
    @_transparent public static func + (a: Self, b: Self) -> Self { cnnc_add_f16(a, b) }
    @_transparent public static func - (a: Self, b: Self) -> Self { cnnc_subtract_f16(a, b) }
    @_transparent public static func * (a: Self, b: Self) -> Self { cnnc_multiply_f16(a, b) }
    @_transparent public static func / (a: Self, b: Self) -> Self { cnnc_divide_f16(a, b) }
    @_transparent public static func + (a: Float, b: Self) -> Self { cnnc_add_f16(Self(repeating: a), b) }
    @_transparent public static func - (a: Float, b: Self) -> Self { cnnc_subtract_f16(Self(repeating: a), b) }
    @_transparent public static func * (a: Float, b: Self) -> Self { cnnc_multiply_f16(Self(repeating: a), b) }
    @_transparent public static func / (a: Float, b: Self) -> Self { cnnc_divide_f16(Self(repeating: a), b) }
    @_transparent public static func + (a: Self, b: Float) -> Self { cnnc_add_f16(a, Self(repeating: b)) }
    @_transparent public static func - (a: Self, b: Float) -> Self { cnnc_subtract_f16(a, Self(repeating: b)) }
    @_transparent public static func * (a: Self, b: Float) -> Self { cnnc_multiply_f16(a, Self(repeating: b)) }
    @_transparent public static func / (a: Self, b: Float) -> Self { cnnc_divide_f16(a, Self(repeating: b)) }
    @_transparent public static func += (a: inout Self, b: Self) { a = cnnc_add_f16(a, b) }
    @_transparent public static func -= (a: inout Self, b: Self) { a = cnnc_subtract_f16(a, b) }
    @_transparent public static func *= (a: inout Self, b: Self) { a = cnnc_multiply_f16(a, b) }
    @_transparent public static func /= (a: inout Self, b: Self) { a = cnnc_divide_f16(a, b) }
    @_transparent public static func += (a: inout Self, b: Float) { a = cnnc_add_f16(a, Self(repeating: b)) }
    @_transparent public static func -= (a: inout Self, b: Float) { a = cnnc_subtract_f16(a, Self(repeating: b)) }
    @_transparent public static func *= (a: inout Self, b: Float) { a = cnnc_multiply_f16(a, Self(repeating: b)) }
    @_transparent public static func /= (a: inout Self, b: Float) { a = cnnc_divide_f16(a, Self(repeating: b)) }
    @_transparent public static prefix func - (a: Self) -> Self { cnnc_negate_f16(a) }
    /// self + x·w, rounded once (a fused multiply-add where the CPU has one).
    @_transparent public func addingProduct(_ x: Self, _ w: Self) -> Self { cnnc_fma_f16(self, x, w) }
    @_transparent public func replacing(with other: Self, where mask: SIMDMask<SIMD16<Int32>>) -> Self {
        cnnc_select_f16(mask._storage, other, self)
    }
    @_transparent public func replacing(with other: Float, where mask: SIMDMask<SIMD16<Int32>>) -> Self {
        cnnc_select_f16(mask._storage, Self(repeating: other), self)
    }
}

extension SIMD16 where Scalar == Int32 {
    @_transparent public static func &+ (a: Self, b: Self) -> Self { cnnc_wrapping_add_i16(a, b) }
    @_transparent public static func &- (a: Self, b: Self) -> Self { cnnc_wrapping_subtract_i16(a, b) }
    @_transparent public static func &+ (a: Self, b: Int32) -> Self { cnnc_wrapping_add_i16(a, Self(repeating: b)) }
    @_transparent public static func &<< (a: Self, b: Int32) -> Self { cnnc_shift_left_i16(a, b) }
    @_transparent public static func & (a: Self, b: Self) -> Self { cnnc_and_i16(a, b) }
    @_transparent public static func | (a: Self, b: Self) -> Self { cnnc_or_i16(a, b) }
    @_transparent public static prefix func ~ (a: Self) -> Self { cnnc_not_i16(a) }
}
