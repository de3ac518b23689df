import CNNCRuntime

/// On-the-fly augmentation like Keras's `ImageDataGenerator`, for the
/// arguments that move pixels: `rotation_range`, `width_shift_range`,
/// `height_shift_range`, `shear_range`, `zoom_range`, `horizontal_flip`,
/// `vertical_flip`, `fill_mode` and `cval`.
///
///     var options = AugmentationOptions()
///     options.rotationRange = 10; options.zoomRange = AugmentationOptions.zoomRange(0.1)
///     let augmenter = try ImageAugmenter(options)
///     var generator = SplitMix64(seed: seed, stream: UInt64(epoch))
///     let augmented = augmenter.augment(batch, using: &generator)   // a new batch each call
///
/// Each image gets its own parameters, drawn as Keras's `get_random_transform`
/// draws them (same distributions, same ranges, same order of draws), and is
/// transformed exactly as `apply_transform` transforms it. The draws come from
/// SplitMix64, not numpy's Mersenne Twister, so for a seed they are
/// reproducible here but are not the numbers Keras would draw.
public struct AugmentationOptions: Codable, Sendable, Equatable {
    /// Degrees: theta ~ U(−r, r).
    public var rotationRange: Double = 0
    /// Below 1, a fraction of the width; from 1, pixels (see `shift`).
    public var widthShiftRange: Double = 0
    /// Below 1, a fraction of the height; from 1, pixels.
    public var heightShiftRange: Double = 0
    /// Degrees (counter-clockwise): shear ~ U(−s, s).
    public var shearRange: Double = 0
    /// zx and zy ~ U(lower, upper) independently; 1...1 is no zoom.
    public var zoomRange: ClosedRange<Double> = 1...1
    public var horizontalFlip = false
    public var verticalFlip = false
    public var fillMode: FillMode = .nearest

    public init() {}

    /// Keras's `zoom_range=z` for a single number: [1 − z, 1 + z].
    public static func zoomRange(_ z: Double) -> ClosedRange<Double> { (1 - z)...(1 + z) }

    /// True when no argument changes an image.
    public var isIdentity: Bool {
        rotationRange == 0 && widthShiftRange == 0 && heightShiftRange == 0 && shearRange == 0
            && zoomRange == 1...1 && !horizontalFlip && !verticalFlip
    }
}

/// Draws transformation parameters and applies them to batches; see `AugmentationOptions`.
public struct ImageAugmenter: Sendable {
    public let options: AugmentationOptions

    public init(_ options: AugmentationOptions) throws(RuntimeError) {
        let ranges = [("rotation_range", options.rotationRange), ("width_shift_range", options.widthShiftRange),
                      ("height_shift_range", options.heightShiftRange), ("shear_range", options.shearRange)]
        for (name, value) in ranges where !(value.isFinite && value >= 0) {
            throw RuntimeError("\(name) must be a finite number of at least 0, not \(value)")
        }
        guard options.zoomRange.lowerBound > 0, options.zoomRange.upperBound.isFinite else {
            throw RuntimeError("zoom_range must be positive zoom factors, not [\(options.zoomRange.lowerBound), \(options.zoomRange.upperBound)]")
        }
        if case .constant(let cval) = options.fillMode, !cval.isFinite {
            throw RuntimeError("cval must be a finite number, not \(cval)")
        }
        self.options = options
    }

    /// Random parameters for one `height` × `width` image (Keras's `get_random_transform`).
    public func randomParameters(height: Int, width: Int, using generator: inout SplitMix64) -> ImageTransformParameters {
        var parameters = ImageTransformParameters()
        if options.rotationRange != 0 {
            parameters.theta = generator.nextUniform(-options.rotationRange, options.rotationRange)
        }
        parameters.tx = Self.shift(options.heightShiftRange, size: height, using: &generator)
        parameters.ty = Self.shift(options.widthShiftRange, size: width, using: &generator)
        if options.shearRange != 0 {
            parameters.shear = generator.nextUniform(-options.shearRange, options.shearRange)
        }
        if options.zoomRange != 1...1 {
            parameters.zx = generator.nextUniform(options.zoomRange.lowerBound, options.zoomRange.upperBound)
            parameters.zy = generator.nextUniform(options.zoomRange.lowerBound, options.zoomRange.upperBound)
        }
        parameters.flipHorizontal = generator.nextBool() && options.horizontalFlip
        parameters.flipVertical = generator.nextBool() && options.verticalFlip
        return parameters
    }

    /// A shift in pixels as Keras draws it from `*_shift_range = r`: below 1, U(−r, r)
    /// times the image size; a whole number from 1 (Keras's int form), a whole number
    /// of pixels from −(r − 1) to r − 1; any other number from 1, U(−r, r) pixels.
    static func shift(_ range: Double, size: Int, using generator: inout SplitMix64) -> Double {
        guard range != 0 else { return 0 }
        if range >= 1, range == range.rounded(), range < Double(Int.max) {
            let magnitude = Double(generator.nextInt(below: Int(range)))
            return generator.nextBool() ? magnitude : -magnitude
        }
        let shift = generator.nextUniform(-range, range)
        return range < 1 ? shift * Double(size) : shift
    }

    /// Every image of `batch` under its own random parameters; labels unchanged.
    public func augment(_ batch: LabeledImages, using generator: inout SplitMix64) -> LabeledImages {
        guard !options.isIdentity else { return batch }
        var pixels = [Float](repeating: 0, count: batch.pixels.count)
        let size = batch.imageSize
        batch.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { destination in
                for index in 0..<batch.count {
                    let parameters = randomParameters(height: batch.height, width: batch.width, using: &generator)
                    ImageTransform.apply(
                        parameters,
                        to: UnsafeBufferPointer(rebasing: source[(index * size)..<((index + 1) * size)]),
                        height: batch.height, width: batch.width, channels: batch.channels, fillMode: options.fillMode,
                        into: UnsafeMutableBufferPointer(rebasing: destination[(index * size)..<((index + 1) * size)]))
                }
            }
        }
        return LabeledImages(unchecked: batch, pixels: pixels, labels: batch.labels, targets: batch.targets)
    }
}
