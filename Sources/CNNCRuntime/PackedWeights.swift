/// The model's packed weights (`WeightPacking`), read-only once packed, on a
/// cache line (`CacheLine`).
public final class PackedWeights: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(_ values: [Float]) {
        count = values.count
        pointer = CacheLine.allocateFloats(values.count)
        pointer.initialize(from: values, count: values.count)
    }

    /// The weights, for the duration of `body`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start, count: count))
    }

    @usableFromInline var start: UnsafePointer<Float> { UnsafePointer(pointer) }

    deinit { pointer.deallocate() }
}
