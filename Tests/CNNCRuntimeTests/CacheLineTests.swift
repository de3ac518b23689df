import CNNCRuntime
import Testing

/// The buffers the generated kernels read and write in vectors start on a
/// cache line, so that no vector of 16 floats spans two lines: Swift's own
/// allocations give 16 bytes (an array's elements 48 past a line, a large
/// `allocate(capacity:)` 16 past one), where MobileNet's depthwise layers
/// took twice as long.
struct CacheLineTests {
    @Test(arguments: [1, 7, 4096, 1 << 20])
    func anArenaStartsOnACacheLine(count: Int) {
        let arena = ModelArena(count: count)
        #expect(Int(bitPattern: arena.pointer) % CacheLine.bytes == 0)
        #expect(arena.pointer[arena.count - 1] == 0)
    }

    @Test(arguments: [0, 1, 100, 1 << 20])
    func packedWeightsStartOnACacheLineAndHoldWhatWasPackedIntoThem(count: Int) {
        let values = (0..<count).map { Float($0) * 0.5 }
        let packed = PackedWeights(count: count)
        packed.withUnsafeBufferPointer { #expect($0.allSatisfy { $0 == 0 }) }
        values.withUnsafeBufferPointer { source in
            let buffer = packed.bufferForPacking
            for index in source.indices { buffer[index] = source[index] }
        }
        #expect(packed.count == count)
        packed.withUnsafeBufferPointer { buffer in
            #expect(Int(bitPattern: buffer.baseAddress) % CacheLine.bytes == 0)
            #expect(Array(buffer) == values)
        }
    }
}
