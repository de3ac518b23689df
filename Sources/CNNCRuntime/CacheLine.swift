/// Floats whose first element starts a cache line, for the buffers the
/// generated kernels read and write in vectors: the arena and the packed
/// weights. The kernels' offsets into them are multiples of 16 floats, so
/// every AVX-512 vector then lies in one 64-byte line and every AVX2 vector
/// in one half. Swift's `allocate(capacity:)` and `[Float]` give 16-byte
/// alignment only (large blocks come from `mmap` with a 16-byte header, and
/// an array's elements follow a 32-byte header): every vector of 16 then
/// spanned two lines, and MobileNet's depthwise layers took twice as long
/// (6x6x512: 16.7 → 5.9 µs on Zen 4).
public enum CacheLine {
    public static let bytes = 64

    /// Uninitialized room for `count` values (at least one) starting on a cache line.
    public static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let count = max(count, 1)
        return UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<T>.stride, alignment: bytes)
            .bindMemory(to: T.self, capacity: count)
    }
}
