import Foundation

/// How fast this core copies memory (bytes read plus bytes written a
/// second), measured by the C library's `memcpy` in the same process as the
/// layers it is the yardstick for: a layer that does a few operations per
/// value (DepthwiseConv2D, pooling, BatchNormalization, a merge) is bound by
/// moving its bytes, and the fair question is how near it comes to a copy of
/// as many bytes from the same level of the memory hierarchy.
public struct CopyRate: Sendable, Equatable {
    /// Copying buffers that together fill half the L2 cache.
    public var withinCache: Double
    /// Copying 64 MB buffers, past every cache.
    public var fromMemory: Double
    /// The L2 cache of this core, from `/sys` (512 KB where it cannot be read).
    public var cacheBytes: Int

    /// The rate to hold a layer that moves `bytes` against: the in-cache rate
    /// when they fit in L2, where one layer finds what the one before wrote.
    public func rate(forLayerBytes bytes: Int) -> Double {
        bytes <= cacheBytes ? withinCache : fromMemory
    }

    /// The best round of each size over about `seconds` in all.
    public static func measure(seconds: Double) -> CopyRate {
        let cache = l2Bytes() ?? 512 << 10
        return CopyRate(withinCache: bestRate(bufferBytes: cache / 4, seconds: seconds / 2),
                        fromMemory: bestRate(bufferBytes: 64 << 20, seconds: seconds / 2),
                        cacheBytes: cache)
    }

    /// Rounds of copies of at least 8 MB each (one copy for the large
    /// buffers), the fastest round's rate: the machine's other work only ever
    /// slows a round down.
    private static func bestRate(bufferBytes: Int, seconds: Double) -> Double {
        let source = UnsafeMutableRawPointer.allocate(byteCount: bufferBytes, alignment: 64)
        let target = UnsafeMutableRawPointer.allocate(byteCount: bufferBytes, alignment: 64)
        defer { source.deallocate(); target.deallocate() }
        // Touched first, so that no round pays for the pages' first faults.
        source.initializeMemory(as: UInt8.self, repeating: 1, count: bufferBytes)
        target.initializeMemory(as: UInt8.self, repeating: 0, count: bufferBytes)
        let copiesPerRound = max(1, (8 << 20) / bufferBytes)
        var best = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        var rounds = 0
        repeat {
            let begin = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<copiesPerRound { copy(source, to: target, bytes: bufferBytes) }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
            if elapsed > 0 { best = max(best, Double(2 * bufferBytes * copiesPerRound) / elapsed) }
            rounds += 1
        } while rounds < 3 || Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds
        return best
    }

    /// One copy the optimizer cannot see into: the same copy again in a loop
    /// would otherwise be dropped as having no effect.
    @inline(never) @_optimize(none)
    private static func copy(_ source: UnsafeMutableRawPointer, to target: UnsafeMutableRawPointer, bytes: Int) {
        target.copyMemory(from: source, byteCount: bytes)
    }

    /// The size of the first level-2 data or unified cache of CPU 0 (`1024K`, `2M`).
    private static func l2Bytes() -> Int? {
        for index in 0..<8 {
            let directory = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            func read(_ name: String) -> String? {
                (try? String(contentsOfFile: directory + name, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let level = read("level") else { break }
            guard level == "2", read("type") != "Instruction", let size = read("size") else { continue }
            return bytes(ofCacheSize: size)
        }
        return nil
    }

    /// A cache size as `/sys` writes it (`1024K`, `2M`, or bytes), or nil for
    /// anything else or a size that is not between 1 and 2^20 of its unit:
    /// the text is read, not trusted, and a product of it must not overflow.
    public static func bytes(ofCacheSize size: String) -> Int? {
        guard let unit = size.last else { return nil }
        let multiplier = unit == "K" ? 1 << 10 : unit == "M" ? 1 << 20 : 1
        guard let value = Int(multiplier == 1 ? size : String(size.dropLast())), value > 0, value < 1 << 20 else { return nil }
        return value * multiplier
    }
}
