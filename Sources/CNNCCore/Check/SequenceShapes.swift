/// Output shapes of the 1D layers over (steps, channels): along the steps,
/// the rules `ShapeInference.axis` applies along an image's width; the
/// padding kept as the left and right of a `Padding2D` of no rows, which is
/// what the 2D counterpart of the layer pads a (1, steps, channels) image with.
extension ShapeInference {
    static func sequence(_ operation: OneDimensionalOperation, className: String, input: TensorShape) -> Result<Outcome, ShapeError> {
        guard input.rank == 2 else {
            return .failure(ShapeError("\(className) needs a sequence input (steps, channels), but its input is \(input)"))
        }
        let (steps, channels) = (input.dimensions[0], input.dimensions[1])
        switch operation {
        case .conv1D(let config):
            return window(steps: steps, window: config.kernelSize, stride: config.strides, dilation: config.dilationRate,
                          padding: config.padding, channels: config.filters, noun: "kernel_size")
        case .maxPooling1D(let config), .averagePooling1D(let config):
            let padding: Padding1DMode = config.padding == .same ? .same : .valid
            return window(steps: steps, window: config.poolSize, stride: config.strides, dilation: 1,
                          padding: padding, channels: channels, noun: "pool_size")
        case .globalAveragePooling1D(let config), .globalMaxPooling1D(let config):
            return .success(Outcome(output: TensorShape(config.keepdims ? [1, channels] : [channels]), padding: nil))
        case .zeroPadding1D(let padding):
            guard let padded = CheckedArithmetic.sum(steps, padding.left, padding.right) else {
                return .failure(ShapeError("the padded length overflows"))
            }
            return .success(Outcome(output: TensorShape([padded, channels]), padding: padding))
        case .cropping1D(let cropping):
            let left = steps - cropping.left - cropping.right
            guard left > 0 else {
                return .failure(ShapeError("cropping \(cropping.left) + \(cropping.right) steps from \(input) leaves nothing; crop less"))
            }
            return .success(Outcome(output: TensorShape([left, channels]), padding: nil))
        case .upSampling1D(let size):
            guard let repeated = CheckedArithmetic.product(steps, size) else {
                return .failure(ShapeError("the upsampled length overflows"))
            }
            return .success(Outcome(output: TensorShape([repeated, channels]), padding: nil))
        }
    }

    /// A window along the steps. `causal` pads dilation·(k − 1) steps before
    /// the sequence and none after, then slides as `valid` does.
    private static func window(steps: Int, window: Int, stride: Int, dilation: Int, padding: Padding1DMode,
                               channels: Int, noun: String) -> Result<Outcome, ShapeError> {
        var outcome: (size: Int, before: Int, after: Int)?
        switch padding {
        case .valid, .same:
            outcome = axis(size: steps, window: window, stride: stride, dilation: dilation, padding: padding == .same ? .same : .valid)
        case .causal:
            if let reach = CheckedArithmetic.product(dilation, window - 1), let padded = CheckedArithmetic.sum(steps, reach) {
                outcome = axis(size: padded, window: window, stride: stride, dilation: dilation, padding: .valid).map { ($0.size, reach, 0) }
            }
        }
        guard let outcome else {
            let span = dilation == 1 ? "" : " with dilation_rate \(dilation) spans \(dilation * (window - 1) + 1) steps, which"
            let fixes = noun == "kernel_size" ? "padding 'same' or 'causal'" : "padding 'same'"
            return .failure(ShapeError("\(noun) \(window)\(span) does not fit an input of \(steps) steps with padding 'valid'; use a smaller \(noun), \(fixes), or a longer input"))
        }
        return .success(Outcome(output: TensorShape([outcome.size, channels]),
                                padding: Padding2D(top: 0, bottom: 0, left: outcome.before, right: outcome.after)))
    }
}
