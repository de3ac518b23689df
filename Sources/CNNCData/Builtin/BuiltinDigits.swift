import CNNCRuntime
import CNNCTraining

/// The data set cnnc trains on when given none: hand-designed digits 0–9 drawn
/// as pen strokes, 28x28x1 grey-scale like MNIST, generated from a seed, so a
/// model can be trained without a download.
///
///     let digits = BuiltinDigits(seed: 7).generate()   // 12,000 training, 2,000 test images
///     try BuiltinDigits().writeNPZ(to: "digits.npz")   // to look at, or to train Keras on
///
/// Each image varies in position, size, rotation, slant, stroke width,
/// brightness, contrast and the wobble of the hand; some have stray strokes,
/// noise, or a box hiding part of the digit (`DigitStyle`). Every class has
/// the same number of images (±1) in each part, in a shuffled order. The
/// same seed gives the same images on every machine: all arithmetic is
/// IEEE-exact, with no C library functions.
public struct BuiltinDigits: Sendable, Equatable {
    public var seed: UInt64
    public var trainCount: Int
    public var testCount: Int

    /// Images are 28 by 28 pixels, one channel.
    public static let imageSize = 28

    public init(seed: UInt64 = 0, trainCount: Int = 12_000, testCount: Int = 2_000) {
        self.seed = seed
        self.trainCount = max(0, trainCount)
        self.testCount = max(0, testCount)
    }

    /// Draws both parts.
    public func generate() -> Dataset {
        Dataset(
            name: "built-in digits (seed \(seed))",
            train: images(count: trainCount, part: 0),
            test: testCount > 0 ? images(count: testCount, part: 1) : nil,
            classNames: Dataset.digitClassNames)
    }

    /// Writes the generated set as numpy would save Keras's MNIST:
    /// `x_train` (N, 28, 28) and `y_train` (N,) uint8, and the same for the test part.
    public func writeNPZ(to path: String) throws(DataError) {
        try generate().writeNPZ(to: path)
    }

    /// One image of `digit`, drawn with the style the generator `random` picks.
    public static func draw(digit: Int, using random: inout SplitMix64) -> [Float] {
        precondition((0...9).contains(digit), "a digit is 0 to 9, not \(digit)")
        let style = DigitStyle(digit: digit, canvas: imageSize, using: &random)
        return DigitRenderer.draw(digit: digit, style: style, size: imageSize, noise: &random)
    }

    /// `count` images of one part (0 training, 1 test): balanced shuffled labels,
    /// and each image from its own stream, so image i does not depend on the others.
    func images(count: Int, part: UInt64) -> LabeledImages {
        var order = SplitMix64(seed: seed, stream: part << 32 | 0xFFFF_FFFF)
        var labels = (0..<count).map { Int32($0 % 10) }
        order.shuffle(&labels)
        var pixels: [Float] = []
        pixels.reserveCapacity(count * Self.imageSize * Self.imageSize)
        for (index, label) in labels.enumerated() {
            var random = SplitMix64(seed: seed, stream: part << 32 | UInt64(index))
            pixels += Self.draw(digit: Int(label), using: &random)
        }
        return LabeledImages(trusted: pixels, labels: labels, size: Self.imageSize)
    }
}

extension LabeledImages {
    /// Images this module drew itself: sizes and labels are right by construction.
    init(trusted pixels: [Float], labels: [Int32], size: Int) {
        do {
            try self.init(height: size, width: size, channels: 1, pixels: pixels, labels: labels, classCount: 10)
        } catch {
            preconditionFailure("built-in digits are inconsistent: \(error.message)")
        }
    }
}
