/// Layers that change values in place: activations, ReLU's variants,
/// softmax over the last axis, and the layers that scale and shift each
/// channel: Rescaling and Normalization by constants, BatchNormalization and
/// Normalization by their weights folded to x·scale + shift; and the layers
/// whose trained weights it reads as they are: LayerNormalization (each
/// position over its channels) and PReLU.
struct ElementwiseEmitter: Codable, Hashable {
    enum Kind: Codable, Hashable {
        case activation(Activation)
        case relu(ReLUConfig)
        /// The ELU layer's x > 0 ? x : alpha·(e^x − 1).
        case elu(alpha: Double)
        /// x·scale + shift with the packed weights' scale and shift.
        case batchNormalization(scaleOffset: Int, shiftOffset: Int)
        /// x·scale + shift with constants: one for every channel, or one per channel.
        case scaleShift(scale: [Double], shift: [Double])
        case layerNormalization(LayerNormalizationEmitter)
        case prelu(PReLUEmitter)

        /// The kind for an Activation, ReLU, Softmax, Rescaling or Normalization
        /// by constants; nil for any other.
        init?(_ operation: LayerOperation) {
            switch operation {
            case .activation(let activation): self = .activation(activation)
            case .relu(let config): self = .relu(config)
            case .elu(let alpha): self = .elu(alpha: alpha)
            case .softmax: self = .activation(.softmax)
            case .rescaling(let config): self = .scaleShift(scale: config.scale, shift: config.offset)
            case .normalization(let config):
                guard let constants = config.constants else { return nil }
                let folded = constants.scaleShift(invert: config.invert)
                self = .scaleShift(scale: folded.scale, shift: folded.shift)
            default: return nil
            }
        }
    }

    var function: String
    var kind: Kind
    var shape: TensorShape
    /// The ReLU after a BatchNormalization, run in a second function
    /// (`fusedFunction`) at inference when no observer asks for the
    /// normalization's own output (`EpilogueFusion.fuseNormalizations`).
    var fusedClamp: StoreEpilogue.Clamp? = nil

    var fusedFunction: String { function + "_fused" }

    /// Whether a ReLU after the layer can run in its pass: a BatchNormalization whose channels make vectors of 8.
    var takesClamp: Bool {
        if case .batchNormalization = kind { return shape.lastAxis % 8 == 0 }
        return false
    }

    /// Whether the function reads the packed weights.
    var needsWeights: Bool {
        switch kind {
        case .batchNormalization, .layerNormalization, .prelu: true
        case .activation, .relu, .elu, .scaleShift: false
        }
    }

    /// Whether the layer can also run from its input into another buffer in
    /// one pass (`emitFromInput`): ReLU and its variants. A layer whose input
    /// is read again later otherwise copies it and then works in place
    /// (`NodeProgram.copiesInputFirst`): NASNetMobile applies one ReLU to a
    /// tensor in up to four branches, and spent 6% of its time in those copies.
    var runsFromInput: Bool {
        switch kind {
        case .activation(.relu), .relu: true
        default: false
        }
    }

    /// `function` + `_from`: the layer's values of `x` written to `y`.
    func emitFromInput(into out: inout SourceWriter) {
        let count = shape.elementCount
        out.line("@inline(never)")
        out.block("static func \(function)_from(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            switch kind {
            case .activation(.relu):
                out.line(Index.loopLine("i", count: count) { i in "y[\(i)] = Swift.max(x[\(i)], 0)" })
            case .relu(let config):
                out.line(Index.loopLine("i", count: count) { i in "let v = x[\(i)]; y[\(i)] = \(Self.relu(config, of: "v"))" })
            default:
                // Not called: `runsFromInput` admits only the cases above.
                out.line("y.update(from: x, count: \(count)); \(function)(y)")
            }
        }
    }

    func emit(into out: inout SourceWriter) {
        let count = shape.elementCount
        let channels = shape.lastAxis
        out.line("@inline(never)")
        let signature = needsWeights
            ? "static func \(function)(_ x: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>)"
            : "static func \(function)(_ x: UnsafeMutablePointer<Float>)"
        out.block(signature) { out in
            switch kind {
            case .activation(.linear):
                out.line("// linear: nothing to do")
            case .activation(.relu):
                out.line(Index.loopLine("i", count: count) { i in "x[\(i)] = Swift.max(x[\(i)], 0)" })
            case .activation(.sigmoid):
                out.line("VectorMath.sigmoid(x, count: \(count))")
            case .activation(.tanh):
                out.line("VectorMath.tanh(x, count: \(count))")
            case .activation(.softmax):
                emitSoftmax(logarithm: false, count: count, channels: channels, into: &out)
            case .activation(.logSoftmax):
                emitSoftmax(logarithm: true, count: count, channels: channels, into: &out)
            case .activation(let activation):
                if let function = activation.vectorFunction {
                    out.line("VectorMath.apply(\(function), to: x, count: \(count))")
                }
            case .relu(let config):
                emitReLU(config, count: count, into: &out)
            case .elu(let alpha):
                out.line("VectorMath.apply({ VectorMath.elu($0, alpha: \(Float(alpha))) }, to: x, count: \(count))")
            case .batchNormalization(let scaleOffset, let shiftOffset) where channels % 8 == 0:
                emitVectorScaleShift(scaleOffset: scaleOffset, shiftOffset: shiftOffset, count: count, channels: channels, into: &out)
            case .batchNormalization(let scaleOffset, let shiftOffset):
                out.loop("position", count: count / channels) { out, position in
                    out.line("let v = \((position * channels).offsetting("x"))")
                    out.line(Index.loopLine("c", count: channels) { c in "v[\(c)] = v[\(c)] * w[\(scaleOffset)\(c.added)] + w[\(shiftOffset)\(c.added)]" })
                }
            case .scaleShift(let scale, let shift):
                emitScaleShift(scale: scale, shift: shift, count: count, channels: channels, into: &out)
            case .layerNormalization(let kernel):
                kernel.emitForward(count: count, channels: channels, into: &out)
            case .prelu(let kernel):
                kernel.emitForward(shape: shape, into: &out)
            }
        }
    }

    /// x·scale + shift, 8 channels a vector (the channel count is a multiple
    /// of 8): the per-channel scalar loop was not vectorized, and took 2.2 µs
    /// of mini_resnet's 58 for each 28x28x8 BatchNormalization on a Zen 3. A
    /// separate multiply and add, as the scalar form rounds them, by the file's
    /// `scaleShift` (the expression written out took 4 ms to type-check a layer).
    private func emitVectorScaleShift(scaleOffset: Int, shiftOffset: Int, count: Int, channels: Int, into out: inout SourceWriter) {
        let v = VectorTypes.name(8)
        out.line("let scale = w + \(scaleOffset), shift = w + \(shiftOffset)")
        out.loop("position", count: count / channels) { out, position in
            out.line("let v = \((position * channels).offsetting("x"))")
            out.loop("group", count: channels / 8) { out, group in
                let c = group * 8
                out.line("v.store(scaleShift(v.simd(\(v).self, at: \(c)), scale.simd(\(v).self, at: \(c)), shift.simd(\(v).self, at: \(c))), at: \(c))")
            }
        }
    }

    /// `fusedFunction(x, y, w)`: the BatchNormalization's x·scale + shift of
    /// `x`, then the ReLU (`fusedClamp`), written to `y` (which may be `x`),
    /// in one pass. DenseNet's normalization of each block's concatenation,
    /// which later layers read again, had copied it, scaled it in place and
    /// passed over it once more for the ReLU. Each value gets the operations
    /// the two layers' own functions apply, so the same bits.
    func emitFused(into out: inout SourceWriter) {
        guard let fusedClamp, case .batchNormalization(let scaleOffset, let shiftOffset) = kind else { return }
        let channels = shape.lastAxis
        let lanes = channels % 16 == 0 ? 16 : 8
        let vector = VectorTypes.name(lanes), load = VectorTypes.load(vector)
        let epilogue = StoreEpilogue(scaleShift: true, clamp: fusedClamp, channels: channels)
        out.line("@inline(never)")
        out.block("static func \(fusedFunction)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>)") { out in
            out.line("let scale = w + \(scaleOffset), shift = w + \(shiftOffset)")
            out.loop("position", count: shape.elementCount / channels) { out, position in
                out.line("let v = \((position * channels).offsetting("x")), o = \((position * channels).offsetting("y"))")
                out.loop("group", count: channels / lanes) { out, group in
                    let c = group * lanes
                    let value = epilogue.apply(to: "v.\(load)(at: \(c))", name: "e", vector: vector, lanes: lanes,
                                               patterns: ("scale.\(load)(at: \(c))", "shift.\(load)(at: \(c))"), into: &out)
                    out.line("o.store(\(value), at: \(c))")
                }
            }
        }
    }

    /// softmax or log_softmax over the last axis, at each position. Subtracting
    /// the maximum keeps exp finite for large logits; log_softmax keeps jax's
    /// order, (x − max) − log Σ e^(x − max), so the largest logit's is exact.
    private func emitSoftmax(logarithm: Bool, count: Int, channels: Int, into out: inout SourceWriter) {
        let positions = count / channels
        let blocked = logarithm ? 0 : Self.softmaxBlock(channels: channels).map { positions / $0 * $0 } ?? 0
        if blocked > 0 { emitBlockedSoftmax(positions: blocked, channels: channels, into: &out) }
        guard blocked < positions else { return }
        if blocked > 0 { out.line("// The positions after the last whole block, one at a time.") }
        out.loop("position", count: positions - blocked) { out, position in
            out.line("let v = \((Index(blocked * channels) + position * channels).offsetting("x"))")
            emitLargest(of: "v", channels: channels, into: &out)
            if logarithm {
                out.line("var sum: Float = 0")
                out.line(Index.loopLine("c", count: channels) { c in "v[\(c)] -= largest; sum += Foundation.exp(v[\(c)])" })
                out.line("let logSum = Foundation.log(sum)")
                out.line(Index.loopLine("c", count: channels) { c in "v[\(c)] -= logSum" })
            } else {
                out.line(Index.loopLine("c", count: channels) { c in "v[\(c)] -= largest" })
                out.line("VectorMath.exp(v, count: \(channels))")
                emitSum(of: "v", channels: channels, into: &out)
                out.line(Index.loopLine("c", count: channels) { c in "v[\(c)] /= sum" })
            }
        }
    }

    /// `var largest = p[0]` and the loop that takes the largest of a position's channels.
    private func emitLargest(of p: String, channels: Int, into out: inout SourceWriter) {
        out.line("var largest = \(p)[0]")
        out.line("for c in 1..<\(channels) { largest = Swift.max(largest, \(p)[c]) }")
    }

    /// `var sum: Float = 0` and the sum of a position's channels, in their order.
    private func emitSum(of p: String, channels: Int, into out: inout SourceWriter) {
        out.line("var sum: Float = 0")
        out.line(Index.loopLine("c", count: channels) { c in "sum += \(p)[\(c)]" })
    }

    /// Positions a block of the blocked softmax holds: the fewest whose
    /// channels make whole vectors of 16 floats (16 of 3 channels, 2 of 8);
    /// nil from 16 channels on, where each position's exponentials already
    /// fill vectors of their own.
    static func softmaxBlock(channels: Int) -> Int? {
        guard channels < 16 else { return nil }
        var (a, b) = (channels, 16)
        while b != 0 { (a, b) = (b, a % b) }
        return 16 / a
    }

    /// softmax over few channels (a segmentation head's 3 classes at each
    /// pixel), a block of positions at a time: each position's maximum
    /// subtracted and its sum taken one by one, as above, but the block's
    /// exponentials and divisions in whole vectors, where a position alone
    /// ran a vector of 16 for its 3 values (unet's head spent 2.6 µs on 256
    /// pixels, 18% of the model). The same operations on each value, so the
    /// same bits: exp is lane by lane, and a vector's division rounds as a
    /// scalar's.
    private func emitBlockedSoftmax(positions: Int, channels: Int, into out: inout SourceWriter) {
        let block = Self.softmaxBlock(channels: channels) ?? 1, floats = block * channels
        let v = VectorTypes.name(16), load = VectorTypes.load(v)
        out.line("// \(block) positions (\(floats) floats, whole vectors) at a time; `sums` holds each position's sum under each of its values.")
        out.temporaryAllocation(of: "Float", capacity: floats, named: "buffer") { out in
            out.line("let sums = buffer.baseAddress!")
            out.loop("block", count: positions / block) { out, index in
                out.line("let v = \((index * floats).offsetting("x"))")
                out.block("for position in 0..<\(block)") { out in
                    out.line("let p = v + position * \(channels)")
                    emitLargest(of: "p", channels: channels, into: &out)
                    out.line(Index.loopLine("c", count: channels) { c in "p[\(c)] -= largest" })
                }
                out.line("VectorMath.exp(v, count: \(floats))")
                out.block("for position in 0..<\(block)") { out in
                    out.line("let p = v + position * \(channels)")
                    emitSum(of: "p", channels: channels, into: &out)
                    out.line(Index.loopLine("c", count: channels) { c in "sums[position * \(channels)\(c.added)] = sum" })
                }
                out.line(Index.loopLine("i", count: floats / 16) { i in "v.store(v.\(load)(at: \(i * 16)) / sums.\(load)(at: \(i * 16)), at: \(i * 16))" })
            }
        }
    }

    /// Keras's ReLU(max_value, negative_slope, threshold):
    /// x > threshold ? min(x, max_value) : negative_slope · (x − threshold).
    private func emitReLU(_ config: ReLUConfig, count: Int, into out: inout SourceWriter) {
        out.line(Index.loopLine("i", count: count) { i in "let v = x[\(i)]; x[\(i)] = \(Self.relu(config, of: "v"))" })
    }

    /// Keras's ReLU(max_value, negative_slope, threshold) of the Float `v`.
    static func relu(_ config: ReLUConfig, of v: String) -> String {
        let threshold = literal(config.threshold)
        var above = v
        if let maxValue = config.maxValue { above = "Swift.min(Swift.max(\(v), 0), \(Self.literal(maxValue)))" }
        let below = config.negativeSlope == 0 ? "0" : "\(Self.literal(config.negativeSlope)) * (\(v) - \(threshold))"
        return "\(v) > \(threshold) ? \(above) : \(below)"
    }

    /// x·scale + shift; a list of one value per channel is a local constant array.
    private func emitScaleShift(scale: [Double], shift: [Double], count: Int, channels: Int, into out: inout SourceWriter) {
        func term(_ name: String, _ values: [Double], index: String) -> String {
            if values.count == 1 { return Self.literal(values[0]) }
            out.line("let \(name): [Float] = [\(values.map { "\(Float($0))" }.joined(separator: ", "))]")
            return "\(name)[\(index)]"
        }
        guard scale.count > 1 || shift.count > 1 else {
            out.line(Index.loopLine("i", count: count) { i in "x[\(i)] = x[\(i)] * \(Self.literal(scale[0])) + \(Self.literal(shift[0]))" })
            return
        }
        let factor = term("scale", scale, index: "c"), addend = term("shift", shift, index: "c")
        out.loop("position", count: count / channels) { out, position in
            out.line("let v = \((position * channels).offsetting("x"))")
            out.line("for c in 0..<\(channels) { v[c] = v[c] * \(factor) + \(addend) }")
        }
    }

    /// A constant of the spec as Float: Double's shortest text, rounded to
    /// the nearest Float as Keras rounds a Python float against a float32 tensor.
    static func literal(_ value: Double) -> String {
        "Float(\(value))"
    }
}
