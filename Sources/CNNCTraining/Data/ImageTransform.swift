import CNNCRuntime

/// Keras's `ImageDataGenerator.apply_transform(x, parameters)` for one
/// channels-last image: the affine part (rotation, shift, shear, zoom) resampled
/// as scipy.ndimage.affine_transform(order=1) does, then the horizontal flip
/// (columns reversed), then the vertical flip (rows reversed).
public enum ImageTransform {
    /// The transformed copy of `image` (height · width · channels values, HWC).
    public static func apply(_ parameters: ImageTransformParameters, to image: [Float],
                             height: Int, width: Int, channels: Int, fillMode: FillMode) -> [Float] {
        precondition(image.count == height * width * channels, "the image has \(image.count) values, not \(height)x\(width)x\(channels)")
        var output = [Float](repeating: 0, count: image.count)
        image.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                apply(parameters, to: source, height: height, width: width, channels: channels, fillMode: fillMode, into: destination)
            }
        }
        return output
    }

    /// Writes the transformed `image` into `output` (same size, not overlapping).
    public static func apply(_ parameters: ImageTransformParameters, to image: UnsafeBufferPointer<Float>,
                             height: Int, width: Int, channels: Int, fillMode: FillMode,
                             into output: UnsafeMutableBufferPointer<Float>) {
        if let map = parameters.samplingMap(height: height, width: width) {
            AffineResampler.resample(image, height: height, width: width, channels: channels,
                                     map: map, fillMode: fillMode, into: output)
        } else {
            _ = output.update(fromContentsOf: image)
        }
        if parameters.flipHorizontal {
            for row in 0..<height {
                for column in 0..<(width / 2) {
                    for channel in 0..<channels {
                        output.swapAt((row * width + column) * channels + channel,
                                      (row * width + width - 1 - column) * channels + channel)
                    }
                }
            }
        }
        if parameters.flipVertical {
            for row in 0..<(height / 2) {
                for index in 0..<(width * channels) {
                    output.swapAt(row * width * channels + index, (height - 1 - row) * width * channels + index)
                }
            }
        }
    }
}
