/// Copies the inside of an image, without `cropping` rows and columns at its
/// sides: Cropping2D, and the backward pass of padding (ZeroPadding2D and a
/// padded convolution's dL/dx), which drops the gradient of the added zeros.
struct CroppingEmitter: Codable, Hashable {
    var function: String
    /// The image before cropping.
    var input: TensorShape
    var cropping: Padding2D
    var signature = Signature.forward

    /// What the function takes: an image `(x, y)`; a gradient `(dy, dx)`; or a
    /// gradient after the layer's input, which it ignores (`(x, dy, dx)`, the
    /// signature of every backward function of ZeroPadding2D's kind).
    enum Signature: Codable, Hashable {
        case forward, gradient, gradientAfterInput
    }

    var croppedHeight: Int { input.dimensions[0] - cropping.top - cropping.bottom }
    var croppedWidth: Int { input.dimensions[1] - cropping.left - cropping.right }

    func emit(into out: inout SourceWriter) {
        let channels = input.lastAxis
        let row = croppedWidth * channels
        out.line("@inline(never)")
        let (source, target) = signature == .forward ? ("x", "y") : ("dy", "dx")
        let parameters = "_ \(source): UnsafePointer<Float>, _ \(target): UnsafeMutablePointer<Float>"
        let declaration = "static func \(function)(\(signature == .gradientAfterInput ? "_ x: UnsafePointer<Float>, " : "")\(parameters))"
        out.block(declaration) { out in
            out.loop("row", count: croppedHeight) { out, r in
                let from = ((r + cropping.top) * input.dimensions[1] + cropping.left) * channels
                out.line("\(PointerExpression.parenthesized((r * row).offsetting(target))).update(from: \(from.offsetting(source)), count: \(row))")
            }
        }
    }
}
