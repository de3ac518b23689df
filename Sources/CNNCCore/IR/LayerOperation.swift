/// What a layer computes, with its arguments resolved to Keras's defaults.
/// The code generator switches over this; nothing here depends on the input.
public enum LayerOperation: Hashable, Sendable, Codable {
    case conv2D(Conv2DConfig)
    /// DepthwiseConv2D: each input channel convolved with its own
    /// `depthMultiplier` filters; output channel c·m + j reads input channel c.
    case depthwiseConv2D(DepthwiseConv2DConfig)
    /// SeparableConv2D: a depthwise convolution (no bias), then a 1x1
    /// convolution to `filters` channels with the bias and the activation.
    case separableConv2D(SeparableConv2DConfig)
    /// Conv2DTranspose: each input pixel adds the kernel, weighted by its
    /// channels, into the output around i·strides (Conv2D's gradient with
    /// respect to its input).
    case conv2DTranspose(Conv2DTransposeConfig)
    case maxPooling2D(Pooling2DConfig)
    case averagePooling2D(Pooling2DConfig)
    case globalAveragePooling2D(GlobalPoolingConfig)
    case globalMaxPooling2D(GlobalPoolingConfig)
    case flatten
    case dropout(DropoutConfig)
    case dense(DenseConfig)
    case activation(Activation)
    case relu(ReLUConfig)
    /// The ELU layer: x > 0 ? x : alpha·(e^x − 1). Its own case because an
    /// activation named in `activation:` always has alpha 1, while the layer
    /// takes any alpha.
    case elu(alpha: Double)
    case softmax
    case batchNormalization(BatchNormalizationConfig)
    /// LayerNormalization over the last axis, each position on its own:
    /// y = (x − mean)/sqrt(variance + ε)·gamma + beta, trained weights gamma and beta.
    case layerNormalization(LayerNormalizationConfig)
    /// PReLU: y = x above 0, alpha·x below, alpha a trained weight per value
    /// (shared along `shared_axes`).
    case prelu(PReLUConfig)
    case zeroPadding2D(Padding2D)
    /// Cropping2D: rows and columns cut from each side (the amounts in a `Padding2D`).
    case cropping2D(Padding2D)
    /// UpSampling2D: the image enlarged by whole factors, each pixel repeated
    /// (`nearest`) or interpolated between its neighbours (`bilinear`).
    case upSampling2D(UpSampling2DConfig)
    /// Keras's `Resizing`: an image resampled to a fixed size (`ResizingGeometry`).
    case resizing(ResizingConfig)
    /// Reshape: the same values, channels last, read as another shape.
    case reshape(ReshapeConfig)
    /// Rescaling: y = x·scale + offset, per channel when given one value per channel.
    case rescaling(RescalingConfig)
    /// Normalization over the last axis: y = (x − mean) / max(sqrt(variance), 1e-7).
    case normalization(NormalizationConfig)
    /// A layer that changes nothing at inference (GaussianNoise, GaussianDropout,
    /// SpatialDropout2D, ActivityRegularization): compiled as identity, and
    /// run as Keras's `fit` runs it in training.
    case identityAtInference(TrainingOnlyOperation)
    /// Add, Subtract, Multiply, Average, Maximum, Minimum: one value from the
    /// same position of every input, the inputs broadcast as Keras does.
    case merge(MergeOperation)
    /// Concatenate: the inputs side by side along one axis.
    case concatenate(ConcatenateConfig)
    /// Conv1D, the 1D poolings, ZeroPadding1D, Cropping1D: over (steps,
    /// channels), lowered to their 2D counterparts before planning.
    case oneDimensional(OneDimensionalOperation)
    /// Permute: the sample's axes in another order (`PermuteConfig`).
    case permute(PermuteConfig)
    /// RepeatVector: a vector (features) repeated into (n, features).
    case repeatVector(RepeatVectorConfig)
    /// ConvNeXt's LayerScale: y = x·gamma, one trainable factor a channel;
    /// compiled as the 1x1 DepthwiseConv2D without bias it equals.
    case layerScale(LayerScaleConfig)

    /// Whether the kernels read a padded copy of the input (the convolutions
    /// with `padding: same`); pooling pads by skipping cells instead.
    public var padsItsInput: Bool {
        switch self {
        case .conv2D, .depthwiseConv2D, .separableConv2D: true
        case .oneDimensional(let operation): operation.lowered.padsItsInput
        default: false
        }
    }

    /// The activation fused into a convolution or Dense layer (`linear` for every other layer).
    public var fusedActivation: Activation {
        switch self {
        case .conv2D(let config): config.activation
        case .depthwiseConv2D(let config): config.activation
        case .separableConv2D(let config): config.activation
        case .conv2DTranspose(let config): config.activation
        case .dense(let config): config.activation
        case .oneDimensional(let operation): operation.lowered.fusedActivation
        default: .linear
        }
    }
}

/// What a layer that acts only in training does there, with its arguments.
public enum TrainingOnlyOperation: Hashable, Sendable, Codable {
    /// y = x + N(0, stddev²).
    case gaussianNoise(stddev: Double)
    /// y = x·m, m ~ N(1, rate/(1 − rate)).
    case gaussianDropout(rate: Double)
    /// SpatialDropout2D (an image) or SpatialDropout1D (a sequence): whole
    /// channels dropped with probability `rate`, the rest scaled by 1/(1 − rate).
    case spatialDropout(rate: Double)
    /// y = x; the loss gains l1·Σ|x| + l2·Σx².
    case activityRegularization(l1: Double, l2: Double)
    /// Keras's `Identity`: y = x, in training too.
    case identity
    /// An image augmentation layer (RandomFlip, ...): random in training,
    /// which cnnc refuses to train yet (`CheckedModel.trainingGap`).
    case randomImage(RandomImageLayer)

    /// Whether it draws random numbers in training (all but ActivityRegularization
    /// and Identity); Keras records `training: false` in a Functional model's calls
    /// of the noise layers.
    public var isRandom: Bool {
        switch self {
        case .activityRegularization, .identity: false
        default: true
        }
    }

    /// Its numeric arguments by Keras's names, as `get_config()` lists them
    /// (an augmentation layer's are in its `RandomImageLayer`).
    public var kerasArguments: [String: Double] {
        switch self {
        case .gaussianNoise(let stddev): ["stddev": stddev]
        case .gaussianDropout(let rate), .spatialDropout(let rate): ["rate": rate]
        case .activityRegularization(let l1, let l2): ["l1": l1, "l2": l2]
        case .identity, .randomImage: [:]
        }
    }
}

/// What a merge layer computes from its inputs' values at one position.
public enum MergeOperation: Hashable, Sendable, Codable {
    case add, subtract, multiply, average, maximum, minimum
    /// InceptionResNetV2's `CustomScaleLayer`: x0 + x1 · scale, the residual
    /// branch scaled before it joins the shortcut.
    case scaledAdd(scale: Double)

    /// The merge layers of `keras.layers`, which take no arguments.
    public static let withoutArguments: [MergeOperation] = [.add, .subtract, .multiply, .average, .maximum, .minimum]

    /// Keras's class name (`Add`).
    public var className: String {
        switch self {
        case .add: "Add"
        case .subtract: "Subtract"
        case .multiply: "Multiply"
        case .average: "Average"
        case .maximum: "Maximum"
        case .minimum: "Minimum"
        case .scaledAdd: Self.customScaleClass
        }
    }

    /// The class's name, and the module Keras 3 defines it in (it is not one
    /// of `keras.layers`: a `.keras` file names the module, and Keras imports
    /// it to load the model).
    public static let customScaleClass = "CustomScaleLayer"
    public static let customScaleModule = "keras.src.applications.inception_resnet_v2"

    /// Whether the operation takes exactly two inputs (the first minus the
    /// second; the shortcut plus the scaled branch).
    public var takesTwoInputs: Bool {
        switch self {
        case .subtract, .scaledAdd: true
        default: false
        }
    }
}

/// LayerScale's arguments (`keras.src.applications.convnext.LayerScale`): its
/// weight `gamma` has `projectionDim` values, all `initValues` when Keras
/// builds it; the checker requires `projectionDim` to be the input's channels.
public struct LayerScaleConfig: Hashable, Sendable, Codable {
    public var initValues: Double
    public var projectionDim: Int

    public static let className = "LayerScale"
    public static let module = "keras.src.applications.convnext"

    /// The DepthwiseConv2D it computes: one tap, one filter a channel, no bias.
    public var depthwise: DepthwiseConv2DConfig {
        DepthwiseConv2DConfig(depthMultiplier: 1, kernelSize: .square(1), strides: .square(1), padding: .valid,
                              dilationRate: .square(1), useBias: false, activation: .linear)
    }
}

public struct ConcatenateConfig: Hashable, Sendable, Codable {
    /// The axis as written (Keras's `axis`, -1 by default): negative counts
    /// from the last axis, and 0 is the batch axis.
    public var axis: Int

    /// The axis of one sample's shape it joins along (0 is the first axis
    /// after the batch), or nil when `axis` names the batch axis or none.
    public func sampleAxis(rank: Int) -> Int? {
        let batchedRank = rank + 1
        let resolved = axis < 0 ? axis + batchedRank : axis
        return resolved >= 1 && resolved < batchedRank ? resolved - 1 : nil
    }
}

public struct Conv2DConfig: Hashable, Sendable, Codable {
    public var filters: Int
    public var kernelSize: Size2D
    public var strides: Size2D
    public var padding: PaddingMode
    public var dilationRate: Size2D
    public var useBias: Bool
    public var activation: Activation
    /// Keras's `groups`: the channels split into this many groups, each
    /// convolved with its share of the filters. cnnc computes 1, and as many
    /// groups as input channels (ConvNeXt's depthwise Conv2D), which is
    /// `depthwise(inputChannels:)`; the checker refuses the rest.
    public var groups = 1

    /// The DepthwiseConv2D this layer computes when every input channel is a
    /// group of its own: filters/groups filters a channel, output channel
    /// c·m + j from channel c, as Keras orders grouped outputs. Its Keras
    /// kernel, (kh, kw, 1, filters), holds a depthwise (kh, kw, C, m) kernel's
    /// floats in the same order. Nil for an ungrouped convolution.
    public func depthwise(inputChannels: Int) -> DepthwiseConv2DConfig? {
        guard groups > 1, groups == inputChannels, filters % groups == 0 else { return nil }
        return DepthwiseConv2DConfig(depthMultiplier: filters / groups, kernelSize: kernelSize, strides: strides, padding: padding,
                                     dilationRate: dilationRate, useBias: useBias, activation: activation)
    }
}

public struct DepthwiseConv2DConfig: Hashable, Sendable, Codable {
    public var depthMultiplier: Int
    public var kernelSize: Size2D
    public var strides: Size2D
    public var padding: PaddingMode
    public var dilationRate: Size2D
    public var useBias: Bool
    public var activation: Activation
}

public struct SeparableConv2DConfig: Hashable, Sendable, Codable {
    public var filters: Int
    public var depthMultiplier: Int
    public var kernelSize: Size2D
    public var strides: Size2D
    public var padding: PaddingMode
    public var dilationRate: Size2D
    public var useBias: Bool
    public var activation: Activation

    /// Its first step, which has no bias and no activation of its own.
    public var depthwise: DepthwiseConv2DConfig {
        DepthwiseConv2DConfig(depthMultiplier: depthMultiplier, kernelSize: kernelSize, strides: strides, padding: padding,
                              dilationRate: dilationRate, useBias: false, activation: .linear)
    }
}

public struct Conv2DTransposeConfig: Hashable, Sendable, Codable {
    public var filters: Int
    public var kernelSize: Size2D
    public var strides: Size2D
    public var padding: PaddingMode
    /// Keras's `output_padding`; nil (Keras's default) lets the padding decide the size.
    public var outputPadding: Size2D?
    public var dilationRate: Size2D
    public var useBias: Bool
    public var activation: Activation

    /// Along one axis of n inputs, as Keras 3 computes it: the output size and
    /// the outputs cut before the first, `crop`, so that input i with tap m
    /// lands on output i·s + m·d − crop. With the tap span K = d(k − 1) + 1:
    /// - `valid`: size (n − 1)s + K + output_padding (default max(K, s) − K), crop 0;
    /// - `same`: size n·s, or (n − 1)s + K mod 2 + output_padding when given;
    ///   jax pads the stride-dilated input by `before` = min(⌈p/2⌉, K − 1) with
    ///   p = s + K − 2 (or K + K mod 2 − 2 + output_padding), so crop = K − 1 − before.
    /// nil when a size overflows.
    public static func axis(size n: Int, kernel k: Int, stride s: Int, dilation d: Int, padding: PaddingMode,
                            outputPadding: Int?) -> (size: Int, crop: Int)? {
        guard let reach = CheckedArithmetic.product(d, k - 1), let span = CheckedArithmetic.sum(reach, 1),
              let spread = CheckedArithmetic.product(n - 1, s) else { return nil }
        switch padding {
        case .valid:
            return CheckedArithmetic.sum(spread, span, outputPadding ?? (max(span, s) - span)).map { ($0, 0) }
        case .same:
            let size = outputPadding.map { CheckedArithmetic.sum(spread, span % 2, $0) } ?? CheckedArithmetic.product(n, s)
            guard let size, let total = CheckedArithmetic.sum(outputPadding.map { span % 2 - 2 + $0 } ?? (s - 2), span) else { return nil }
            return (size, span - 1 - min(total / 2 + total % 2, span - 1))
        }
    }

    /// `axis(size:…)` along the height (0) or the width (1), with this layer's arguments.
    public func axis(_ axis: Int, size: Int) -> (size: Int, crop: Int)? {
        let pick: (Size2D) -> Int = axis == 0 ? { $0.height } : { $0.width }
        return Self.axis(size: size, kernel: pick(kernelSize), stride: pick(strides), dilation: pick(dilationRate),
                         padding: padding, outputPadding: outputPadding.map(pick))
    }
}

public struct Pooling2DConfig: Hashable, Sendable, Codable {
    public var poolSize: Size2D
    public var strides: Size2D
    public var padding: PaddingMode
}

public struct GlobalPoolingConfig: Hashable, Sendable, Codable {
    /// Keep the pooled axes as 1x1 (`keepdims: true`) instead of dropping them.
    public var keepdims: Bool
}

public struct DropoutConfig: Hashable, Sendable, Codable {
    public var rate: Double
    /// Keras's `noise_shape` (the batch axis first, null for an axis's own
    /// size): the mask is shared along the axes of size 1, as EfficientNet's
    /// stochastic depth drops whole samples ([null, 1, 1, 1]). Nothing changes
    /// at inference; in training each sample draws its own mask, so the batch
    /// axis must be null (`trainingGap`).
    public var noiseShape: [Int?]? = nil

    /// One sample's mask shape: `noiseShape` without its batch axis, a null
    /// read as the input's size; nil without a noise shape.
    public func sampleMaskShape(for input: TensorShape) -> [Int]? {
        guard let noiseShape else { return nil }
        return zip(noiseShape.dropFirst(), input.dimensions).map { $0 ?? $1 }
    }
}

public struct DenseConfig: Hashable, Sendable, Codable {
    public var units: Int
    public var useBias: Bool
    public var activation: Activation
}

/// Keras's ReLU layer: `max(x, 0)` by default, with an optional cap
/// (`max_value: 6` is ReLU6), a slope below the threshold, and a threshold.
public struct ReLUConfig: Hashable, Sendable, Codable {
    public var maxValue: Double?
    public var negativeSlope: Double
    public var threshold: Double
}

/// UpSampling2D's factors for rows and columns and how new pixels are made:
/// `nearest` repeats each pixel; `bilinear` is Keras 3's `jax.image.resize`
/// (half-pixel centers: output o samples the input at (o + 0.5)/factor − 0.5,
/// between its two neighbours, the edge pixel where a neighbour is outside).
public struct UpSampling2DConfig: Hashable, Sendable, Codable {
    public var size: Size2D
    public var interpolation: Interpolation

    public enum Interpolation: String, Hashable, Sendable, Codable, CaseIterable {
        case nearest, bilinear
    }
}

/// Resizing's arguments: the output's height and width, the interpolation
/// (bilinear or nearest), whether the image is first cropped or padded (with
/// `fillValue`) to the output's aspect ratio, and `antialias` (a wider
/// triangle when shrinking), as `keras.ops.image.resize` takes them.
public struct ResizingConfig: Hashable, Sendable, Codable {
    public var height: Int
    public var width: Int
    public var bilinear: Bool
    public var cropToAspectRatio: Bool
    public var padToAspectRatio: Bool
    public var fillValue: Double
    public var antialias: Bool
    /// Keras's `CenterCrop`: the middle `height` x `width` of an input at
    /// least that large, else the input cropped to the aspect ratio and
    /// resized bilinearly (Keras's `smart_resize`).
    public var centerCrop = false
}

/// Reshape's `target_shape` as written: at most one -1, the size Keras infers.
public struct ReshapeConfig: Hashable, Sendable, Codable {
    public var targetShape: [Int]
}

/// Rescaling's `scale` and `offset`: one value for every element, or one per
/// channel (a list as long as the last axis, which Keras broadcasts over it).
public struct RescalingConfig: Hashable, Sendable, Codable {
    public var scale: [Double]
    public var offset: [Double]
    /// Whether Keras's config held lists (one value per channel) rather than numbers.
    public var scaleIsList: Bool
    public var offsetIsList: Bool
    /// Set when the model wrote no Rescaling layer but a Keras 3 operation
    /// on a tensor and a number, which is this map (`x + 3.0`: scale 1, offset 3).
    public var writtenAs: ArithmeticOperation? = nil
}

/// A Keras 3 operation of a Functional model on one tensor and a number:
/// `x + 3.0` is `Add` with arguments [x, 3.0], `3.0 - x` is `Subtract` with
/// [3.0, x], `-x` is `Negative` with [x].
public struct ArithmeticOperation: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case add = "Add", subtract = "Subtract", multiply = "Multiply", divide = "Divide", trueDivide = "TrueDivide", negative = "Negative"
    }

    public var kind: Kind
    /// The number, nil for `Negative`.
    public var number: Double?
    /// Whether the number is the first argument (`3.0 - x`).
    public var numberFirst = false

    /// The map y = x·scale + offset the operation computes; nil when it is not
    /// one (`3.0 / x`) or divides by 0.
    public var scaleAndOffset: (scale: Double, offset: Double)? {
        guard let number else { return kind == .negative ? (-1, 0) : nil }
        switch kind {
        case .add: return (1, number)
        case .subtract: return numberFirst ? (-1, number) : (1, -number)
        case .multiply: return (number, 0)
        case .divide, .trueDivide: return numberFirst || number == 0 ? nil : (1 / number, 0)
        case .negative: return nil
        }
    }
}

/// Normalization over the last axis (Keras's `axis: -1`):
/// y = (x − mean) / max(sqrt(variance), ε), or with `invert`
/// y = mean + x·max(sqrt(variance), ε), ε = 1e-7 (`keras.backend.epsilon()`).
/// Keras reads mean and variance from its config when they were given there
/// (`constants`), from its weights `mean`, `variance` and `count` otherwise.
public struct NormalizationConfig: Hashable, Sendable, Codable {
    public var invert: Bool
    public var constants: NormalizationConstants?

    /// `keras.backend.epsilon()`, the least divisor.
    public static let epsilon = 1e-7
}

/// Mean and variance written in a Normalization's config: one value for every
/// channel, or one per channel.
public struct NormalizationConstants: Hashable, Sendable, Codable {
    public var mean: [Double]
    public var variance: [Double]
    public var isList: Bool

    /// The same as y = x·scale + shift, per value of `mean`:
    /// scale = 1/d, shift = −mean/d with d = max(sqrt(variance), ε); inverted, scale = d, shift = mean.
    public func scaleShift(invert: Bool) -> (scale: [Double], shift: [Double]) {
        let divisors = variance.map { max($0.squareRoot(), NormalizationConfig.epsilon) }
        if invert { return (divisors, mean) }
        return (divisors.map { 1 / $0 }, zip(mean, divisors).map { -$0 / $1 })
    }
}

/// LayerNormalization over the last axis (Keras's `axis: -1`), as Keras 3
/// computes it: mean and biased variance over the position's channels, then
/// inv = gamma/sqrt(variance + ε) and y = x·inv + (beta − mean·inv).
/// `center` adds beta, `scale` multiplies by gamma.
public struct LayerNormalizationConfig: Hashable, Sendable, Codable {
    public var epsilon: Double
    public var center: Bool
    public var scale: Bool
}

/// PReLU's `shared_axes` as Keras numbers them (1 is the first axis after the
/// batch): along them alpha has size 1 and one slope serves every value.
public struct PReLUConfig: Hashable, Sendable, Codable {
    public var sharedAxes: [Int]

    /// alpha's shape for an input of this shape: the input's, 1 along the shared axes.
    public func alphaShape(for input: TensorShape) -> [Int] {
        input.dimensions.enumerated().map { sharedAxes.contains($0.offset + 1) ? 1 : $0.element }
    }
}

/// BatchNormalization over the last axis. `center` adds beta, `scale` gamma;
/// momentum weights the old moving statistics (Keras's rule, not PyTorch's).
public struct BatchNormalizationConfig: Hashable, Sendable, Codable {
    public var momentum: Double
    public var epsilon: Double
    public var center: Bool
    public var scale: Bool
}
