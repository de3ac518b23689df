/// 8-bit pixels as Keras users scale them: `x / 255` in float32, so 0 is 0 and 255 is 1.
enum PixelScaling {
    /// Every byte's value divided by 255, looked up rather than divided per pixel.
    static let table: [Float] = (0...255).map { Float($0) / 255 }

    static func unitInterval<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [Float] {
        table.withUnsafeBufferPointer { table in bytes.map { table[Int($0)] } }
    }

    /// The byte a pixel in [0, 1] came from (the nearest, for other values; clamped).
    static func byte(_ value: Float) -> UInt8 {
        UInt8((min(max(value, 0), 1) * 255).rounded())
    }
}
