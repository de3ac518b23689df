/// Sine and cosine from +, −, × and ÷ alone, so the built-in images are the
/// same bits on every machine: the C library's `sin` may differ in the last
/// place between platforms, and a last place can move a pixel's byte.
/// Accurate to about 1e-9 (Taylor series to x¹⁵ on [−π/2, π/2]), ample for drawing.
enum PortableTrigonometry {
    static func sin(_ angle: Double) -> Double {
        // Into [−π, π), then fold [π/2, π) and [−π, −π/2) onto [−π/2, π/2] by sin(π − x) = sin x.
        var x = angle - (angle / (2 * Double.pi)).rounded(.down) * 2 * Double.pi
        if x >= Double.pi { x -= 2 * Double.pi }
        if x > Double.pi / 2 { x = Double.pi - x }
        if x < -Double.pi / 2 { x = -Double.pi - x }
        let square = x * x
        var term = x
        var sum = x
        for power in stride(from: 3, through: 15, by: 2) {
            term *= -square / Double((power - 1) * power)
            sum += term
        }
        return sum
    }

    static func cos(_ angle: Double) -> Double {
        sin(angle + Double.pi / 2)
    }

    static func radians(degrees: Double) -> Double {
        degrees * Double.pi / 180
    }
}
