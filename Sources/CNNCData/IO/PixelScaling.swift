/// 8-bit pixels as Keras users scale them: `x / 255` in float32, so 0 is 0 and 255 is 1.
enum PixelScaling {
    /// Every byte's value divided by 255, looked up rather than divided per pixel.
    static let table: [Float] = (0...255).map { Float($0) / 255 }

    /// A loop over raw buffers rather than `map`: through a generic collection,
    /// a debug build (which `swift run cnnc` is) took seconds for MNIST's 47
    /// million bytes.
    static func unitInterval<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [Float] {
        if let pixels = bytes.withContiguousStorageIfAvailable(scaled) { return pixels }
        return Array(bytes).withUnsafeBufferPointer(scaled)
    }

    private static func scaled(_ bytes: UnsafeBufferPointer<UInt8>) -> [Float] {
        table.withUnsafeBufferPointer { table in
            [Float](unsafeUninitializedCapacity: bytes.count) { pixels, initialized in
                for index in 0..<bytes.count { pixels[index] = table[Int(bytes[index])] }
                initialized = bytes.count
            }
        }
    }

    /// The byte a pixel in [0, 1] came from (the nearest, for other values; clamped).
    static func byte(_ value: Float) -> UInt8 {
        UInt8((min(max(value, 0), 1) * 255).rounded())
    }
}
