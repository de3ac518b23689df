/// Parameter and FLOP counts as Keras counts parameters:
/// Conv2D kh·kw·cin·filters (+ filters for the bias), Conv1D k·cin·filters (+ filters), DepthwiseConv2D
/// kh·kw·cin·depth_multiplier (+ as many biases), SeparableConv2D its depthwise
/// kernel plus cin·depth_multiplier·filters (+ filters), Conv2DTranspose as Conv2D, Dense in·units (+ units),
/// BatchNormalization 2C trainable (gamma, beta) + 2C non-trainable (moving
/// mean and variance), Normalization without constants 2C + 1 non-trainable
/// (mean, variance, count), LayerNormalization C each for gamma and beta
/// (trainable), PReLU one alpha per value of its input, one per run along
/// `shared_axes`; every other layer has none.
/// FLOPs are 2 x multiply-accumulates of the convolutions and Dense, for one sample.
enum ParameterCounting {
    struct Counts {
        var trainable = 0
        var nonTrainable = 0
        var flops = 0
    }

    /// The counts, or nil when they overflow.
    static func count(_ operation: LayerOperation, input: TensorShape, output: TensorShape) -> Counts? {
        switch operation {
        case .conv2D(let config):
            // Each filter reads its group's channels (all of them with one group).
            let inputChannels = input.lastAxis / max(config.groups, 1)
            guard let weights = CheckedArithmetic.product(config.kernelSize.height, config.kernelSize.width, inputChannels, config.filters),
                  let trainable = CheckedArithmetic.sum(weights, config.useBias ? config.filters : 0),
                  let flops = CheckedArithmetic.product(output.dimensions + [config.kernelSize.height, config.kernelSize.width, inputChannels, 2])
            else { return nil }
            return Counts(trainable: trainable, flops: flops)
        case .depthwiseConv2D(let config):
            let outputChannels = output.lastAxis
            guard let weights = CheckedArithmetic.product(config.kernelSize.height, config.kernelSize.width, outputChannels),
                  let trainable = CheckedArithmetic.sum(weights, config.useBias ? outputChannels : 0),
                  let flops = CheckedArithmetic.product(output.dimensions + [config.kernelSize.height, config.kernelSize.width, 2])
            else { return nil }
            return Counts(trainable: trainable, flops: flops)
        case .separableConv2D(let config):
            let taps = config.kernelSize.height * config.kernelSize.width
            guard let middle = CheckedArithmetic.product(input.lastAxis, config.depthMultiplier),
                  let depthwise = CheckedArithmetic.product(taps, middle),
                  let pointwise = CheckedArithmetic.product(middle, config.filters),
                  let trainable = CheckedArithmetic.sum(depthwise, pointwise, config.useBias ? config.filters : 0),
                  let perPixel = CheckedArithmetic.sum(depthwise, pointwise),
                  let flops = CheckedArithmetic.product(output.dimensions.dropLast() + [perPixel, 2])
            else { return nil }
            return Counts(trainable: trainable, flops: flops)
        case .oneDimensional(let operation):
            // Its 2D counterpart over (1, steps, channels) counts the same.
            return count(operation.lowered, input: TensorShape([1] + input.dimensions), output: TensorShape([1] + output.dimensions))
        case .conv2DTranspose(let config):
            // Each input pixel meets every tap once.
            guard let weights = CheckedArithmetic.product(config.kernelSize.height, config.kernelSize.width, input.lastAxis, config.filters),
                  let trainable = CheckedArithmetic.sum(weights, config.useBias ? config.filters : 0),
                  let flops = CheckedArithmetic.product(input.dimensions.dropLast() + [weights, 2])
            else { return nil }
            return Counts(trainable: trainable, flops: flops)
        case .dense(let config):
            let inputs = input.lastAxis
            let positions = input.dimensions.dropLast().reduce(1, *)
            guard let weights = CheckedArithmetic.product(inputs, config.units),
                  let trainable = CheckedArithmetic.sum(weights, config.useBias ? config.units : 0),
                  let flops = CheckedArithmetic.product(positions, inputs, config.units, 2)
            else { return nil }
            return Counts(trainable: trainable, flops: flops)
        case .batchNormalization(let config):
            let channels = input.lastAxis
            let perChannel = (config.center ? 1 : 0) + (config.scale ? 1 : 0)
            return Counts(trainable: perChannel * channels, nonTrainable: 2 * channels)
        case .layerNormalization(let config):
            return Counts(trainable: ((config.center ? 1 : 0) + (config.scale ? 1 : 0)) * input.lastAxis)
        case .prelu(let config):
            return CheckedArithmetic.product(config.alphaShape(for: input)).map { Counts(trainable: $0) }
        case .layerScale(let config):
            return Counts(trainable: config.projectionDim)
        case .normalization(let config):
            // mean and variance per channel, and the count of samples `adapt` saw.
            return Counts(nonTrainable: config.constants == nil ? 2 * input.lastAxis + 1 : 0)
        case .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D,
             .flatten, .dropout, .activation, .relu, .elu, .softmax, .zeroPadding2D, .identityAtInference, .merge, .concatenate,
             .cropping2D, .upSampling2D, .resizing, .reshape, .rescaling, .permute, .repeatVector:
            return Counts()
        }
    }
}
