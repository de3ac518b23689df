import CNNCRuntime

/// A set of labelled images in memory, the unit every data step works on:
/// readers make one, splits and folds take subsets of it, batches copy out of it.
///
///     let images = try LabeledImages(height: 28, width: 28, channels: 1,
///                                    pixels: pixels, labels: labels, classCount: 10)
///     let validation = images.subset(split.validation)
///
/// Pixels are NHWC (image, row, column, channel; channels innermost, as Keras
/// holds them). Readers of 8-bit images scale them to [0, 1] by 1/255; float
/// images are kept as given. Labels are class indices in 0..<classCount.
/// Soft target rows (label smoothing, a teacher's probabilities) travel
/// beside them in `targets`, since Keras's losses use the rows as they are;
/// each such label is its row's largest column, the class `accuracy` compares.
public struct LabeledImages: Sendable, Equatable {
    public let count: Int
    public let height: Int
    public let width: Int
    public let channels: Int
    public let pixels: [Float]
    public let labels: [Int32]
    public let classCount: Int
    /// Each sample's target row (`classCount` values) where the data gave rows
    /// that are not all one-hot; nil where the labels say everything.
    public let targets: [Float]?

    /// Checks that the sizes agree and every label is a class, so later steps can index freely.
    public init(height: Int, width: Int, channels: Int, pixels: [Float], labels: [Int32], classCount: Int,
                targets: [Float]? = nil) throws(RuntimeError) {
        guard height > 0, width > 0, channels > 0 else {
            throw RuntimeError("an image must have a positive size, not \(height)x\(width)x\(channels)")
        }
        guard classCount > 0 else { throw RuntimeError("there must be at least one class, not \(classCount)") }
        let imageSize = height * width * channels
        guard pixels.count == labels.count * imageSize else {
            throw RuntimeError("\(labels.count) labels need \(labels.count * imageSize) pixel values for \(height)x\(width)x\(channels) images, got \(pixels.count)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw RuntimeError("label \(labels[bad]) of image \(bad) is not a class: labels must be 0 to \(classCount - 1)")
        }
        if let targets {
            guard targets.count == labels.count * classCount else {
                throw RuntimeError("\(labels.count) target rows of \(classCount) classes need \(labels.count * classCount) values, got \(targets.count)")
            }
            if let bad = targets.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
                throw RuntimeError("target row \(bad / classCount) holds \(targets[bad]) in column \(bad % classCount); targets are probabilities, finite and at least 0")
            }
        }
        self.count = labels.count
        self.height = height
        self.width = width
        self.channels = channels
        self.pixels = pixels
        self.labels = labels
        self.classCount = classCount
        self.targets = targets
    }

    /// Values in one image: height · width · channels.
    public var imageSize: Int { height * width * channels }

    /// The shape of one image as a model's input: [height, width, channels].
    public var imageShape: [Int] { [height, width, channels] }

    /// The pixels of image `index`.
    public func image(_ index: Int) -> ArraySlice<Float> {
        pixels[(index * imageSize)..<((index + 1) * imageSize)]
    }

    /// The images at `indices`, in that order (an index may repeat).
    /// Indices come from splits and folds of this set, so one out of range is a programming error.
    public func subset(_ indices: [Int]) -> LabeledImages {
        let size = imageSize
        var newPixels = [Float](repeating: 0, count: indices.count * size)
        newPixels.withUnsafeMutableBufferPointer { destination in
            pixels.withUnsafeBufferPointer { source in
                for (position, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "image index \(index) is outside 0..<\(count)")
                    let from = source.baseAddress! + index * size
                    (destination.baseAddress! + position * size).update(from: from, count: size)
                }
            }
        }
        let rows = targets.map { targets in indices.flatMap { targets[($0 * classCount)..<(($0 + 1) * classCount)] } }
        return LabeledImages(unchecked: self, pixels: newPixels, labels: indices.map { labels[$0] }, targets: rows)
    }

    /// How many images each class has, indexed by class.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// Same geometry and classes as `template` (or `classCount` classes, no
    /// fewer), with new contents already known to fit.
    init(unchecked template: LabeledImages, pixels: [Float], labels: [Int32], classCount: Int? = nil, targets: [Float]?) {
        self.count = labels.count
        self.height = template.height
        self.width = template.width
        self.channels = template.channels
        self.pixels = pixels
        self.labels = labels
        self.classCount = classCount ?? template.classCount
        self.targets = targets
    }

    /// The target rows, one-hot rows made from the labels where the data gave none.
    var targetRows: [Float] {
        if let targets { return targets }
        var rows = [Float](repeating: 0, count: count * classCount)
        for (sample, label) in labels.enumerated() { rows[sample * classCount + Int(label)] = 1 }
        return rows
    }
}

extension LabeledImages {
    /// The same images with `classes` classes, as many as a model's outputs:
    /// Keras asks only that every label be below the number of outputs, so
    /// labels 0–8 train a 10-class model. Never fewer classes than now.
    public func widened(toClasses classes: Int) -> LabeledImages {
        guard classes > classCount else { return self }
        // Target rows gain zero columns, as one-hot labels of these classes would have.
        let rows = targets.map { targets in
            (0..<count).flatMap { targets[($0 * classCount)..<(($0 + 1) * classCount)] + repeatElement(0, count: classes - classCount) }
        }
        return LabeledImages(unchecked: self, pixels: pixels, labels: labels, classCount: classes, targets: rows)
    }

    /// This set followed by `other`, which must have the same image shape and classes.
    public func appending(_ other: LabeledImages) throws(RuntimeError) -> LabeledImages {
        guard other.imageShape == imageShape, other.classCount == classCount else {
            throw RuntimeError("cannot pool \(TensorLayout.shapeText(imageShape)) images of \(classCount) classes with \(TensorLayout.shapeText(other.imageShape)) images of \(other.classCount) classes")
        }
        let rows = targets == nil && other.targets == nil ? nil : targetRows + other.targetRows
        return LabeledImages(unchecked: self, pixels: pixels + other.pixels, labels: labels + other.labels, targets: rows)
    }
}
