/// Output shapes by Keras's rules, and the padding each window needs.
///
/// Along one axis of size n, a window of k taps spaced d apart moving by s:
/// - `valid`: out = floor((n - d(k-1) - 1) / s) + 1, no padding;
/// - `same`:  out = ceil(n / s), padded by max((out-1)s + d(k-1) + 1 - n, 0)
///   split with the smaller half first: TensorFlow puts the odd extra row or
///   column at the bottom/right.
enum ShapeInference {
    struct Outcome {
        var output: TensorShape
        var padding: Padding2D?
    }

    /// Why a Conv2D's `groups` cannot be computed: Keras's own rules (filters
    /// and input channels divisible by groups), then cnnc's (one group, or a
    /// group a channel).
    static func groupsProblem(_ config: Conv2DConfig, inputChannels: Int) -> String? {
        guard config.groups != 1 else { return nil }
        if config.filters % config.groups != 0 {
            return "filters \(config.filters) must be divisible by groups \(config.groups), as Keras requires"
        }
        if inputChannels % config.groups != 0 {
            return "the input's \(inputChannels) channels must be divisible by groups \(config.groups), as Keras requires"
        }
        if config.depthwise(inputChannels: inputChannels) == nil {
            return "groups \(config.groups) of the input's \(inputChannels) channels is not supported by cnnc: it computes groups: 1, "
                + "and groups equal to the input's channels (each channel convolved alone, as a DepthwiseConv2D and ConvNeXt's depthwise Conv2D)"
        }
        return nil
    }

    /// The output shape, or a sentence saying why there is none.
    static func infer(_ operation: LayerOperation, className: String, input: TensorShape) -> Result<Outcome, ShapeError> {
        switch operation {
        case .conv2D(let config):
            if let problem = groupsProblem(config, inputChannels: input.lastAxis) { return .failure(ShapeError(problem)) }
            return window(className: className, input: input, window: config.kernelSize, strides: config.strides,
                          dilation: config.dilationRate, padding: config.padding, channels: config.filters, noun: "kernel")
        case .depthwiseConv2D(let config):
            guard let channels = CheckedArithmetic.product(input.lastAxis, config.depthMultiplier) else {
                return .failure(ShapeError("\(input.lastAxis) channels times depth_multiplier \(config.depthMultiplier) overflows"))
            }
            return window(className: className, input: input, window: config.kernelSize, strides: config.strides,
                          dilation: config.dilationRate, padding: config.padding, channels: channels, noun: "kernel")
        case .separableConv2D(let config):
            return window(className: className, input: input, window: config.kernelSize, strides: config.strides,
                          dilation: config.dilationRate, padding: config.padding, channels: config.filters, noun: "kernel")
        case .conv2DTranspose(let config):
            return requireImage(className, input).flatMap { _ in transposed(config, input: input) }
        case .maxPooling2D(let config), .averagePooling2D(let config):
            return window(className: className, input: input, window: config.poolSize, strides: config.strides,
                          dilation: .square(1), padding: config.padding, channels: input.lastAxis, noun: "pool_size")
        case .globalAveragePooling2D(let config), .globalMaxPooling2D(let config):
            return requireImage(className, input).map { _ in
                Outcome(output: TensorShape(config.keepdims ? [1, 1, input.lastAxis] : [input.lastAxis]), padding: nil)
            }
        case .zeroPadding2D(let padding):
            return requireImage(className, input).flatMap { _ in
                guard let height = CheckedArithmetic.sum(input.dimensions[0], padding.top, padding.bottom),
                      let width = CheckedArithmetic.sum(input.dimensions[1], padding.left, padding.right) else {
                    return .failure(ShapeError("the padded size overflows"))
                }
                return .success(Outcome(output: TensorShape([height, width, input.lastAxis]), padding: padding))
            }
        case .cropping2D(let cropping):
            return requireImage(className, input).flatMap { _ in
                let height = input.dimensions[0] - cropping.top - cropping.bottom
                let width = input.dimensions[1] - cropping.left - cropping.right
                guard height > 0, width > 0 else {
                    return .failure(ShapeError("cropping \(cropping.top) + \(cropping.bottom) rows and \(cropping.left) + \(cropping.right) columns from \(input) leaves nothing; crop less"))
                }
                return .success(Outcome(output: TensorShape([height, width, input.lastAxis]), padding: nil))
            }
        case .resizing(let config):
            return requireImage(className, input).map { _ in Outcome(output: TensorShape([config.height, config.width, input.lastAxis]), padding: nil) }
        case .upSampling2D(let config):
            return requireImage(className, input).flatMap { _ in
                guard let height = CheckedArithmetic.product(input.dimensions[0], config.size.height),
                      let width = CheckedArithmetic.product(input.dimensions[1], config.size.width) else {
                    return .failure(ShapeError("the upsampled size overflows"))
                }
                return .success(Outcome(output: TensorShape([height, width, input.lastAxis]), padding: nil))
            }
        case .reshape(let config):
            return reshape(input, to: config.targetShape).map { Outcome(output: $0, padding: nil) }
        case .rescaling(let config):
            for (name, values) in [("scale", config.scale), ("offset", config.offset)] where values.count != 1 && values.count != input.lastAxis {
                return .failure(ShapeError(perChannelMismatch(name, count: values.count, input: input)))
            }
            return .success(Outcome(output: input, padding: nil))
        case .normalization(let config):
            if let constants = config.constants, constants.mean.count != 1 && constants.mean.count != input.lastAxis {
                return .failure(ShapeError(perChannelMismatch("mean", count: constants.mean.count, input: input)))
            }
            return .success(Outcome(output: input, padding: nil))
        case .layerScale(let config):
            guard input.rank >= 2 else {
                return .failure(ShapeError("\(className) scales an image or a sequence by channel; on a vector \(input) it is not supported by cnnc"))
            }
            guard config.projectionDim == input.lastAxis else {
                return .failure(ShapeError("projection_dim \(config.projectionDim) must equal the input's \(input.lastAxis) channels: gamma holds one factor a channel"))
            }
            return .success(Outcome(output: input, padding: nil))
        case .prelu(let config):
            if let axis = config.sharedAxes.first(where: { $0 > input.rank }) {
                let axes = input.rank == 1 ? "only axis 1" : "axes 1 to \(input.rank)"
                return .failure(ShapeError("shared_axes names axis \(axis), but the input \(input) has \(axes) after the batch; share alpha along those"))
            }
            return .success(Outcome(output: input, padding: nil))
        case .flatten:
            guard let count = CheckedArithmetic.product(input.dimensions) else {
                return .failure(ShapeError("the flattened size of \(input) overflows"))
            }
            return .success(Outcome(output: TensorShape([count]), padding: nil))
        case .dense(let config):
            return .success(Outcome(output: TensorShape(input.dimensions.dropLast() + [config.units]), padding: nil))
        case .oneDimensional(let operation):
            return sequence(operation, className: className, input: input)
        case .permute(let config):
            return permuted(config, input: input)
        case .repeatVector(let config):
            return repeated(config, input: input)
        // A merge of one tensor is that tensor (several go through MergeShapes).
        case .dropout(let config):
            if let noiseShape = config.noiseShape, let mask = config.sampleMaskShape(for: input),
               noiseShape.count != input.rank + 1 || zip(mask, input.dimensions).contains(where: { $0 != 1 && $0 != $1 }) {
                let written = "[" + noiseShape.map { $0.map(String.init) ?? "null" }.joined(separator: ", ") + "]"
                return .failure(ShapeError("noise_shape \(written) does not fit the input \(input): it needs \(input.rank + 1) sizes, the batch axis first, each after it 1 (one draw shared along the axis), null or the axis's size"))
            }
            return .success(Outcome(output: input, padding: nil))
        case .activation, .relu, .elu, .softmax, .batchNormalization, .layerNormalization, .identityAtInference, .merge, .concatenate:
            return .success(Outcome(output: input, padding: nil))
        }
    }

    /// Keras's Reshape: the same number of values, one size (-1) inferred from the others.
    private static func reshape(_ input: TensorShape, to target: [Int]) -> Result<TensorShape, ShapeError> {
        let written = "(" + target.map(String.init).joined(separator: ", ") + ")"
        guard let count = CheckedArithmetic.product(input.dimensions),
              let known = CheckedArithmetic.product(target.filter { $0 != -1 }) else {
            return .failure(ShapeError("the sizes of \(input) or target_shape \(written) overflow"))
        }
        var dimensions = target
        if let unknown = target.firstIndex(of: -1) {
            guard count % known == 0 else {
                return .failure(ShapeError("cannot reshape \(input) (\(count) values) to target_shape \(written): \(count) is not a multiple of \(known)"))
            }
            dimensions[unknown] = count / known
        } else if known != count {
            return .failure(ShapeError("cannot reshape \(input) (\(count) values) to target_shape \(written) (\(known) values); the counts must be equal"))
        }
        return .success(TensorShape(dimensions))
    }

    private static func perChannelMismatch(_ key: String, count: Int, input: TensorShape) -> String {
        "'\(key)' has \(count) values but the input \(input) has \(input.lastAxis) channels; give one number, or one per channel"
    }

    private static func requireImage(_ className: String, _ input: TensorShape) -> Result<Void, ShapeError> {
        guard input.rank == 3 else {
            return .failure(ShapeError("\(className) needs an image input (height, width, channels), but its input is \(input)"))
        }
        return .success(())
    }

    private static func window(className: String, input: TensorShape, window: Size2D, strides: Size2D, dilation: Size2D,
                               padding: PaddingMode, channels: Int, noun: String) -> Result<Outcome, ShapeError> {
        if case .failure(let error) = requireImage(className, input) { return .failure(error) }
        let rows = axis(size: input.dimensions[0], window: window.height, stride: strides.height, dilation: dilation.height, padding: padding)
        let columns = axis(size: input.dimensions[1], window: window.width, stride: strides.width, dilation: dilation.width, padding: padding)
        guard let rows, let columns else {
            let inputSize = Size2D(input.dimensions[0], input.dimensions[1])
            var span = ""
            if dilation != .square(1) {
                let spanned = Size2D(dilation.height * (window.height - 1) + 1, dilation.width * (window.width - 1) + 1)
                span = " with dilation_rate \(dilation) spans \(spanned), which"
            }
            if padding == .same {
                // 'same' fits any window; only a span whose padding no integer holds fails.
                return .failure(ShapeError("\(noun) \(window)\(span) is too large to pad around input \(inputSize) with padding 'same' (the padding overflows); use a \(noun) and dilation_rate that span at most the input"))
            }
            return .failure(ShapeError("\(noun) \(window)\(span) does not fit input \(inputSize) with padding 'valid'; use a smaller \(noun), padding 'same', or a larger input"))
        }
        let amounts = Padding2D(top: rows.before, bottom: rows.after, left: columns.before, right: columns.after)
        return .success(Outcome(output: TensorShape([rows.size, columns.size, channels]), padding: amounts))
    }

    /// Conv2DTranspose's output; its crop is the emitter's business (`Conv2DTransposeConfig.axis`),
    /// so the layer has no padding of its own.
    private static func transposed(_ config: Conv2DTransposeConfig, input: TensorShape) -> Result<Outcome, ShapeError> {
        let sizes = [0, 1].map { config.axis($0, size: input.dimensions[$0])?.size }
        guard let height = sizes[0], let width = sizes[1] else { return .failure(ShapeError("the output size overflows")) }
        guard height > 0, width > 0 else {
            return .failure(ShapeError("kernel \(config.kernelSize) with padding 'same' and output_padding \(config.outputPadding ?? .square(0)) gives an output of \(height)x\(width) for input \(Size2D(input.dimensions[0], input.dimensions[1])); use padding 'valid', larger strides or a larger input"))
        }
        return .success(Outcome(output: TensorShape([height, width, config.filters]), padding: nil))
    }

    /// One axis of a sliding window; nil when the window does not fit (or the numbers overflow).
    static func axis(size n: Int, window k: Int, stride s: Int, dilation d: Int, padding: PaddingMode) -> (size: Int, before: Int, after: Int)? {
        guard let reach = CheckedArithmetic.product(d, k - 1), let span = CheckedArithmetic.sum(reach, 1) else { return nil }
        switch padding {
        case .valid:
            guard span <= n else { return nil }
            return ((n - span) / s + 1, 0, 0)
        case .same:
            let out = (n - 1) / s + 1
            guard let covered = CheckedArithmetic.product(out - 1, s).flatMap({ CheckedArithmetic.sum($0, span) }) else { return nil }
            let total = max(covered - n, 0)
            return (out, total / 2, total - total / 2)
        }
    }
}

/// Why a layer has no output shape, in words for the user.
struct ShapeError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
