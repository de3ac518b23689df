/// Unaligned SIMD loads and stores for generated kernels: activations and
/// packed weights are plain Float buffers, so nothing is assumed about alignment.
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
