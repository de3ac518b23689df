/// PReLU, as Keras 3 computes it: relu(x) − alpha·relu(−x), that is x above 0,
/// alpha·x below and 0 at 0, with alpha a weight of the input's shape that
/// has size 1 along the shared axes. Backward follows jax's relu, whose
/// derivative at 0 is 0:
///
///     dL/dx = dy above 0, alpha·dy below, 0 at 0;  dL/dalpha += dy·x where x < 0
///
/// (summed over the values that share each alpha).
struct PReLUEmitter: Codable, Hashable {
    /// alpha's shape as Keras keeps it (a sample's shape, 1 along shared axes).
    var alphaShape: [Int]
    /// Where the kernels find alpha: in the packed buffer (`w`) for the
    /// forward pass, in Keras's layout (`k`, `gk`) for the backward pass.
    var alphaOffset: Int

    /// The body of `function(x, w)` over a tensor of `shape`, in place.
    func emitForward(shape: TensorShape, into out: inout SourceWriter) {
        eachPosition(shape, into: &out) { out, channels, slope in
            out.line("for c in 0..<\(channels) { let value = v[c]; v[c] = value > 0 ? value : w[\(slope)] * value }")
        }
    }

    /// `function_backward(x, k, gk, g)`: dL/dalpha added to `gk`, and dL/dy in
    /// `g` turned into dL/dx in place.
    func emitBackward(function: String, layerName: String, shape: TensorShape, into out: inout SourceWriter) {
        out.line("// \(layerName): dL/dalpha = Σ dy·x over x < 0, dL/dx = dy·(x > 0 ? 1 : x < 0 ? alpha : 0)")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ gk: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>)") { out in
            eachPosition(shape, into: &out) { out, channels, slope in
                out.line("let d = g + position * \(channels)")
                out.block("for c in 0..<\(channels)") { out in
                    out.line("let value = v[c]")
                    out.line("if value < 0 { gk[\(slope)] += d[c] * value }")
                    out.line("d[c] = value > 0 ? d[c] : (value < 0 ? k[\(slope)] * d[c] : 0)")
                }
            }
        }
        out.line()
    }

    /// A loop over the positions of `shape` (its last axis, the channels, inside),
    /// with `v` the position's values and `slope` the index (after `w` or `k`)
    /// of channel c's alpha. alpha is lined up with the shape's last axes, so the
    /// extra leading axis of a sequence lowered to one image row, or of a block
    /// of samples, shares one alpha.
    private func eachPosition(_ shape: TensorShape, into out: inout SourceWriter,
                              _ body: (inout SourceWriter, _ channels: Int, _ slope: String) -> Void) {
        let dimensions = shape.dimensions
        let alpha = Array(repeating: 1, count: max(dimensions.count - alphaShape.count, 0)) + alphaShape
        let channels = dimensions.last ?? 1
        let alphaChannels = alpha.last ?? 1
        let row = TrainingGenerator.maskCell(of: "position", shape: Array(dimensions.dropLast()), mask: Array(alpha.dropLast()))
        let start = row == "0" ? "\(alphaOffset)" : "\(alphaOffset) + (\(row)) * \(alphaChannels)"
        let slope = alphaChannels == 1 ? "a" : "a + c"
        // A loop even over one position: the alpha index and the body name `position`.
        out.block("for position in 0..<\(shape.elementCount / channels)") { out in
            out.line("let v = x + position * \(channels), a = \(start)")
            body(&out, channels, slope)
        }
    }
}
