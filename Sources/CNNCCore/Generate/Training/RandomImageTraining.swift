/// The training functions of an image augmentation layer (`RandomImageTransform`):
/// the forward pass draws the sample's parameters from SplitMix64 (the
/// sample's dropout seed, the layer's index as the stream), keeps them in
/// the layer's mask, and calls `RandomImageOperations`; the backward pass
/// reads them back. Every number written into the code is a Double or an
/// Int, every name a fixed one: nothing of the spec's text.
struct RandomImageTraining {
    let transform: RandomImageTransform
    let height: Int, width: Int, channels: Int

    init(_ transform: RandomImageTransform, shape: TensorShape) {
        self.transform = transform
        // The decoder refuses an input that is no image (height, width, channels).
        let dimensions = shape.rank == 3 ? shape.dimensions : [1, 1, shape.lastAxis]
        (height, width, channels) = (dimensions[0], dimensions[1], dimensions[2])
    }

    /// Floats kept per sample: the flip, the affine transform's six, or the factor.
    var parameterCount: Int {
        switch transform {
        case .rotation, .zoom, .translation: 6
        case .flip, .contrast, .brightness: 1
        }
    }

    private var size: String { "height: \(height), width: \(width), channels: \(channels)" }

    /// A draw from [lower, upper), as Keras's uniform.
    private static func draw(_ range: ClosedRange<Double>) -> String {
        "Float(\(range.lowerBound) + \(range.upperBound - range.lowerBound) * random.nextUnit())"
    }

    private static func fill(_ sampling: AffineSampling) -> String {
        switch sampling.fillMode {
        case "wrap": ".wrap"
        case "constant": ".constant(\(Float(sampling.fillValue)))"
        case "nearest": ".nearest"
        default: ".reflect"
        }
    }

    func emit(layer: String, className: String, function: String, stream: Int, into out: inout SourceWriter) {
        let count = height * width * channels
        out.line("// \(layer): \(className) in training (Keras 3's transform, parameters drawn here)")
        out.line("@inline(never)")
        out.block("static func \(function)_training(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ seed: UInt64)") { out in
            out.line("var random = SplitMix64(seed: seed, stream: \(stream))")
            switch transform {
            case .flip(let horizontal, let vertical):
                out.line("m[0] = random.nextUnit() <= 0.5 ? 1 : 0")
                out.line("if m[0] == 1 { RandomImageOperations.flip(x, y, \(size), horizontal: \(horizontal), vertical: \(vertical)) } else { y.update(from: x, count: \(count)) }")
            case .rotation(let degrees, let sampling):
                out.line("m.update(from: RandomImageOperations.rotation(degrees: \(Self.draw(degrees)), height: \(height), width: \(width)), count: 6)")
                emitAffine(sampling, into: &out)
            case .zoom(let heightRange, let widthRange, let sampling):
                out.line("let zoomY = 1 + \(Self.draw(heightRange))")
                out.line("let zoomX = \(widthRange.map { "1 + \(Self.draw($0))" } ?? "zoomY")")
                out.line("m.update(from: RandomImageOperations.zoom(height: zoomY, width: zoomX, height: \(height), width: \(width)), count: 6)")
                emitAffine(sampling, into: &out)
            case .translation(let heightRange, let widthRange, let sampling):
                out.line("let dy = \(Self.draw(heightRange)) * \(height), dx = \(Self.draw(widthRange)) * \(width)")
                out.line("m.update(from: RandomImageOperations.translation(dy: dy, dx: dx), count: 6)")
                emitAffine(sampling, into: &out)
            case .contrast(let factor, let values):
                out.line("m[0] = \(Self.draw((1 - factor.lowerBound)...(1 + factor.upperBound)))")
                out.line("RandomImageOperations.contrast(x, y, factor: m[0], \(size), low: \(Float(values.lowerBound)), high: \(Float(values.upperBound)))")
            case .brightness(let factor, let values):
                out.line("m[0] = \(Self.draw(factor)) * \(Float(values.upperBound - values.lowerBound))")
                out.line("RandomImageOperations.brightness(x, y, delta: m[0], count: \(count), low: \(Float(values.lowerBound)), high: \(Float(values.upperBound)))")
            }
        }
        out.line()
        out.line("// \(layer): its gradient, with the parameters the forward pass drew")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ m: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>)") { out in
            switch transform {
            case .flip(let horizontal, let vertical):
                out.line("if m[0] == 1 { RandomImageOperations.flipGradient(g, \(size), horizontal: \(horizontal), vertical: \(vertical)) }")
            case .rotation(_, let sampling), .zoom(_, _, let sampling), .translation(_, _, let sampling):
                out.line("RandomImageOperations.affineGradient(g, transform: m, \(size), bilinear: \(sampling.bilinear), fill: \(Self.fill(sampling)))")
            case .contrast(_, let values):
                out.line("RandomImageOperations.contrastGradient(x, g, factor: m[0], \(size), low: \(Float(values.lowerBound)), high: \(Float(values.upperBound)))")
            case .brightness(_, let values):
                out.line("RandomImageOperations.brightnessGradient(x, g, delta: m[0], count: \(count), low: \(Float(values.lowerBound)), high: \(Float(values.upperBound)))")
            }
        }
    }

    private func emitAffine(_ sampling: AffineSampling, into out: inout SourceWriter) {
        out.line("RandomImageOperations.affine(x, y, transform: UnsafePointer(m), \(size), bilinear: \(sampling.bilinear), fill: \(Self.fill(sampling)))")
    }
}
