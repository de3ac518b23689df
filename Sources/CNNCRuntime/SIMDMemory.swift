import CNNCSIMD

/// Unaligned SIMD loads and stores for generated kernels: activations and
/// packed weights are plain Float buffers, so nothing is assumed about alignment.
/// The concrete widths go through CNNCSIMD, as one vector load or store each
/// (the generic `loadUnaligned` leaves a copy through the stack in every use
/// for the optimizer to remove).
extension UnsafePointer where Pointee == Float {
    @inlinable @inline(__always)
    public func simd<V: SIMD>(_ type: V.Type = V.self, at offset: Int) -> V where V.Scalar == Float {
        UnsafeRawPointer(self + offset).loadUnaligned(as: V.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inlinable @inline(__always)
    public func simd<V: SIMD>(_ type: V.Type = V.self, at offset: Int) -> V where V.Scalar == Float {
        UnsafeRawPointer(self + offset).loadUnaligned(as: V.self)
    }

    @inlinable @inline(__always)
    public func store<V: SIMD>(_ value: V, at offset: Int) where V.Scalar == Float {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: V.self)
    }
}

extension UnsafePointer where Pointee == Float {
    @_transparent public func simd(_ type: SIMD4<Float>.Type, at offset: Int) -> SIMD4<Float> { cnnc_load_f4(self + offset) }
    @_transparent public func simd(_ type: SIMD8<Float>.Type, at offset: Int) -> SIMD8<Float> { cnnc_load_f8(self + offset) }
    @_transparent public func simd(_ type: SIMD16<Float>.Type, at offset: Int) -> SIMD16<Float> { cnnc_load_f16(self + offset) }
    /// Asks for the cache line at `offset` floats on (`cnnc_prefetch`).
    @_transparent public func prefetch(at offset: Int) { cnnc_prefetch(self + offset) }
}

extension UnsafeMutablePointer where Pointee == Float {
    @_transparent public func simd(_ type: SIMD4<Float>.Type, at offset: Int) -> SIMD4<Float> { cnnc_load_f4(self + offset) }
    @_transparent public func simd(_ type: SIMD8<Float>.Type, at offset: Int) -> SIMD8<Float> { cnnc_load_f8(self + offset) }
    @_transparent public func simd(_ type: SIMD16<Float>.Type, at offset: Int) -> SIMD16<Float> { cnnc_load_f16(self + offset) }
    @_transparent public func store(_ value: SIMD4<Float>, at offset: Int) { cnnc_store_f4(self + offset, value) }
    @_transparent public func store(_ value: SIMD8<Float>, at offset: Int) { cnnc_store_f8(self + offset, value) }
    @_transparent public func store(_ value: SIMD16<Float>, at offset: Int) { cnnc_store_f16(self + offset, value) }
}
