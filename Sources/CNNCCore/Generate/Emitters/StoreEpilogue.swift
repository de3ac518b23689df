/// What a convolution kernel does to each finished vector of sums, after its
/// own bias and ReLU, when the BatchNormalization and activation layers after
/// it (or its own activation, when that is not a ReLU) run in its store at
/// inference (`EpilogueFusion`), instead of as passes of their own over its
/// output: MobileNetV2 spent a quarter of its time in those passes.
///
/// Each step is written as the layer's own pass computes it (the folded
/// scale and shift as a separate multiply and add, ReLU with the same
/// comparisons), so a fused layer's output is the same bits as the passes'.
struct StoreEpilogue: Codable, Hashable {
    /// A BatchNormalization's x·scale + shift, its folded scale read from
    /// `post[c]` and its shift from `post[channels + c]` (where `WeightPlan`
    /// packs them, one after the other).
    var scaleShift: Bool
    /// The ReLU after it, if any.
    var clamp: Clamp?
    /// The convolution's output channels: where the shifts start after the scales.
    var channels: Int
    /// A short activation last (MobileNetV3's hard_silu, relu6): the
    /// `VectorMath` function its own pass applies (`Activation.storeFunction`).
    var function: String? = nil

    enum Clamp: Codable, Hashable {
        /// Activation("relu"), as `ElementwiseEmitter` writes it: Swift.max(x, 0).
        case activationReLU
        /// ReLU(max_value) at threshold 0 with no negative slope:
        /// x > 0 ? min(x, max_value) : 0.
        case relu(maxValue: Double?)

        /// The same step on one Float `value`, as `ElementwiseEmitter` writes it.
        func scalar(_ value: String) -> String {
            switch self {
            case .activationReLU: "Swift.max(\(value), 0)"
            case .relu(let maxValue?): "\(value) > 0 ? Swift.min(Swift.max(\(value), 0), Float(\(maxValue))) : 0"
            case .relu(nil): "\(value) > 0 ? \(value) : 0"
            }
        }
    }

    /// The fused kernel's extra parameter: where the scales start.
    var parameter: String { scaleShift ? ", _ post: UnsafePointer<Float>" : "" }

    /// Writes the lines that turn `value`, a vector of type `vector` holding
    /// channels `channel...` (`existing` of its lanes real: the others are
    /// never stored, and their scale and shift are not read), into what is
    /// stored; returns the expression to store.
    func apply(to value: String, name: String, vector: String, lanes: Int, channel: Index, existing: Int,
               into out: inout SourceWriter) -> String {
        var patterns = (scale: "", shift: "")
        if scaleShift && existing >= lanes {
            patterns = ("post.\(VectorTypes.load(vector))(at: \(channel))", "post.\(VectorTypes.load(vector))(at: \(channel + channels))")
        } else if scaleShift {
            out.line("var \(name)a = \(vector)(), \(name)b = \(vector)(); "
                + Index.loopLine("lane", count: existing) { lane in
                    "\(name)a[\(lane)] = post[\(channel + lane)]; \(name)b[\(lane)] = post[\(channel + channels + lane)]"
                })
            patterns = ("\(name)a", "\(name)b")
        }
        return apply(to: value, name: name, vector: vector, lanes: lanes, patterns: patterns, into: &out)
    }

    /// The same, for a kernel whose lanes hold channels in a pattern (pixel
    /// lanes): its scale and shift are vectors it made, named by `patterns`
    /// (not read without a BatchNormalization).
    func apply(to value: String, name: String, vector: String, lanes: Int, patterns: (scale: String, shift: String),
               into out: inout SourceWriter) -> String {
        var result = value
        if scaleShift {
            out.line("let \(name)n = scaleShift(\(result), \(patterns.scale), \(patterns.shift))")
            result = "\(name)n"
        }
        switch clamp {
        case nil:
            break
        case .activationReLU?:
            // Swift.max(x, 0) is `0 >= x ? 0 : x`: NaN stays, −0 becomes 0.
            out.line("let \(name)r = maxWithZero(\(result))")
            result = "\(name)r"
        case .relu(let maxValue)?:
            // x > 0 ? x : 0 (NaN becomes 0), then min(x, max_value) as `max_value < x ? max_value : x`.
            out.line("let \(name)r = \(vector)().replacing(with: \(result), where: \(result) .> 0)")
            result = "\(name)r"
            if let maxValue {
                out.line("let \(name)m = \(result).replacing(with: Float(\(maxValue)), where: \(result) .> Float(\(maxValue)))")
                result = "\(name)m"
            }
        }
        if let function {
            // VectorMath's functions take 16 lanes; a narrower vector is widened and narrowed back.
            let call = switch lanes {
            case 16: "\(function)(\(result))"
            case 8: "\(function)(VectorMath.widened(\(result))).lowHalf"
            default: "\(function)(VectorMath.widened(\(result))).lowHalf.lowHalf"
            }
            out.line("let \(name)f = \(call)")
            result = "\(name)f"
        }
        return result
    }
}
