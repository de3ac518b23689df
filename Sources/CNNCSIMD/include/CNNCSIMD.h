// Vector arithmetic on Swift's SIMD4, SIMD8 and SIMD16 of Float (and SIMD16
// of Int32), as single vector instructions.
//
// Why C: the standard library (Swift 6.3) writes SIMD arithmetic, fused
// multiply-add and replacing(with:where:) as generic loops over lanes. The
// optimizer unrolls each into 16 scalar operations, and LLVM then has to
// vectorize them again; for a generated model that is 60,000 scalar
// instructions of SIL, most of the -O compile time. Clang's vector
// extensions say each operation once, for the whole vector, and Swift
// imports these types as the SIMD types themselves. CNNCRuntime's
// SIMDArithmetic.swift makes them the operators Swift code uses.
//
// Every function is one IEEE operation per lane, so results are the same
// bits as the standard library's lane-by-lane code: products and sums are
// never fused unless a function says so (cnnc_fma_*).
#ifndef CNNC_SIMD_H
#define CNNC_SIMD_H

#define CNNC_SIMD_INLINE static inline __attribute__((always_inline))

typedef float cnnc_float4 __attribute__((ext_vector_type(4)));
typedef float cnnc_float8 __attribute__((ext_vector_type(8)));
typedef float cnnc_float16 __attribute__((ext_vector_type(16)));
typedef int cnnc_int4 __attribute__((ext_vector_type(4)));
typedef int cnnc_int8 __attribute__((ext_vector_type(8)));
typedef int cnnc_int16 __attribute__((ext_vector_type(16)));

typedef unsigned cnnc_uint16 __attribute__((ext_vector_type(16)));

// Asks for the 64-byte line at `address` ahead of its use (a hint: nothing
// faults). A kernel that streams weights it uses a few times each, once a
// sample, waits on memory more than on its multiply-adds.
CNNC_SIMD_INLINE void cnnc_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#define CNNC_SIMD_FLOAT_OPERATIONS(N) \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_add_f##N(cnnc_float##N a, cnnc_float##N b) { return a + b; } \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_subtract_f##N(cnnc_float##N a, cnnc_float##N b) { return a - b; } \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_multiply_f##N(cnnc_float##N a, cnnc_float##N b) { return a * b; } \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_divide_f##N(cnnc_float##N a, cnnc_float##N b) { return a / b; } \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_negate_f##N(cnnc_float##N a) { return -a; } \
    /* a + x·w rounded once, as Float.addingProduct does lane by lane. */ \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_fma_f##N(cnnc_float##N a, cnnc_float##N x, cnnc_float##N w) { \
        return __builtin_elementwise_fma(x, w, a); \
    } \
    /* Lanes of `whereTrue` where `mask` (all ones or all zeros, as SIMDMask stores it) is set, else of `whereFalse`. */ \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_select_f##N(cnnc_int##N mask, cnnc_float##N whereTrue, cnnc_float##N whereFalse) { \
        return (cnnc_float##N)((mask & (cnnc_int##N)whereTrue) | (~mask & (cnnc_int##N)whereFalse)); \
    } \
    /* Unaligned: memcpy is the one form C defines for any address, and compiles to one load or store. */ \
    CNNC_SIMD_INLINE cnnc_float##N cnnc_load_f##N(const float *p) { cnnc_float##N v; __builtin_memcpy(&v, p, sizeof v); return v; } \
    CNNC_SIMD_INLINE void cnnc_store_f##N(float *p, cnnc_float##N v) { __builtin_memcpy(p, &v, sizeof v); }

CNNC_SIMD_FLOAT_OPERATIONS(4)
CNNC_SIMD_FLOAT_OPERATIONS(8)
CNNC_SIMD_FLOAT_OPERATIONS(16)

// x limited to [low, high] as two x86 instructions, MINPS then MAXPS, where
// comparisons and blends take three: written as selects, LLVM folds the second
// comparison through the first select and keeps a blend. MINPS(a, b) is
// a < b ? a : b, so a NaN x comes through both, as in the portable form.
CNNC_SIMD_INLINE cnnc_float16 cnnc_clamp_f16(cnnc_float16 x, cnnc_float16 low, cnnc_float16 high) {
#if defined(__AVX512F__)
    return __builtin_ia32_maxps512(low, __builtin_ia32_minps512(high, x, 4), 4);
#elif defined(__AVX__)
    cnnc_float8 xl = __builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7), xh = __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15);
    cnnc_float8 ll = __builtin_shufflevector(low, low, 0, 1, 2, 3, 4, 5, 6, 7), lh = __builtin_shufflevector(low, low, 8, 9, 10, 11, 12, 13, 14, 15);
    cnnc_float8 hl = __builtin_shufflevector(high, high, 0, 1, 2, 3, 4, 5, 6, 7), hh = __builtin_shufflevector(high, high, 8, 9, 10, 11, 12, 13, 14, 15);
    cnnc_float8 rl = __builtin_ia32_maxps256(ll, __builtin_ia32_minps256(hl, xl));
    cnnc_float8 rh = __builtin_ia32_maxps256(lh, __builtin_ia32_minps256(hh, xh));
    return __builtin_shufflevector(rl, rh, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#else
    cnnc_float16 capped = x > high ? high : x;
    return capped < low ? low : capped;
#endif
}

// Wrapping integer arithmetic and bit operations on 16 Int32 lanes, which
// VectorMath uses to build exponents and move sign bits. Through unsigned
// lanes, where C defines overflow to wrap, as Swift's &+ does.
CNNC_SIMD_INLINE cnnc_int16 cnnc_wrapping_add_i16(cnnc_int16 a, cnnc_int16 b) { return (cnnc_int16)((cnnc_uint16)a + (cnnc_uint16)b); }
CNNC_SIMD_INLINE cnnc_int16 cnnc_wrapping_subtract_i16(cnnc_int16 a, cnnc_int16 b) { return (cnnc_int16)((cnnc_uint16)a - (cnnc_uint16)b); }
/* Swift's &<< takes the count modulo the lane's 32 bits. */
CNNC_SIMD_INLINE cnnc_int16 cnnc_shift_left_i16(cnnc_int16 a, int count) { return (cnnc_int16)((cnnc_uint16)a << (unsigned)(count & 31)); }
CNNC_SIMD_INLINE cnnc_int16 cnnc_and_i16(cnnc_int16 a, cnnc_int16 b) { return a & b; }
CNNC_SIMD_INLINE cnnc_int16 cnnc_or_i16(cnnc_int16 a, cnnc_int16 b) { return a | b; }
CNNC_SIMD_INLINE cnnc_int16 cnnc_not_i16(cnnc_int16 a) { return ~a; }

#endif
