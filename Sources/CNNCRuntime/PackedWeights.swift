/// The model's packed weights (`WeightPacking`), read-only once packed, on a
/// cache line (`CacheLine`).
public final class PackedWeights: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// `count` zeros, which the model's init packs its weights into
    /// (`bufferForPacking`) before anything reads them. Training makes a
    /// model every step, so the packing goes straight to this memory.
    public init(count: Int) {
        self.count = count
        pointer = CacheLine.allocate(Float.self, count: count)
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Where `WeightPacking` writes the weights, once, in the model's init.
    public var bufferForPacking: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// The weights, for the duration of `body`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start, count: count))
    }

    @usableFromInline var start: UnsafePointer<Float> { UnsafePointer(pointer) }

    deinit { pointer.deallocate() }
}
