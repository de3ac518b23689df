/// Scratch memory for one forward pass at a time, sized by the generator.
/// Owned by one thread; a batch run makes one per thread. It starts on a
/// cache line, as the kernels' vectors assume (`CacheLine`).
public final class ModelArena {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = max(count, 1)
        pointer = CacheLine.allocate(Float.self, count: self.count)
        pointer.initialize(repeating: 0, count: self.count)
    }

    deinit { pointer.deallocate() }
}
