/// Copies an image into a larger zeroed one: ZeroPadding2D, and the padded
/// input that a `same` convolution reads so that none of its taps checks bounds.
struct PaddingEmitter {
    var function: String
    var input: TensorShape
    var padding: Padding2D

    var paddedHeight: Int { input.dimensions[0] + padding.top + padding.bottom }
    var paddedWidth: Int { input.dimensions[1] + padding.left + padding.right }
    var paddedCount: Int { paddedHeight * paddedWidth * input.lastAxis }

    func emit(into out: inout SourceWriter) {
        let (height, width, channels) = (input.dimensions[0], input.dimensions[1], input.lastAxis)
        let rowCount = width * channels
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.line("y.update(repeating: 0, count: \(paddedCount))")
            out.block("for row in 0..<\(height)") { out in
                out.line("(y + ((row + \(padding.top)) * \(paddedWidth) + \(padding.left)) * \(channels)).update(from: x + row * \(rowCount), count: \(rowCount))")
            }
        }
    }
}
