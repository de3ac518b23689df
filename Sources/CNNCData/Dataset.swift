import CNNCRuntime
import CNNCTraining

/// A data set loaded for `cnnc train` and `cnnc evaluate`: the training images,
/// the test images if the source has a test part, and what to call things.
public struct Dataset: Sendable, Equatable {
    /// For messages and reports: "MNIST", "Fashion-MNIST", the .npz's file name, "built-in digits (seed 0)".
    public var name: String
    public var train: LabeledImages
    /// Nil when the source has no test part (an .npz with only x_train, y_train).
    public var test: LabeledImages?
    /// The name of each class, indexed by label, when the source says; nil for an .npz.
    public var classNames: [String]?

    public init(name: String, train: LabeledImages, test: LabeledImages?, classNames: [String]?) {
        self.name = name
        self.train = train
        self.test = test
        self.classNames = classNames
    }

    /// The data set with `classes` classes, as many as a model's outputs
    /// (see `LabeledImages.widened`); a class the data never names is called
    /// by its label.
    public func widened(toClasses classes: Int) -> Dataset {
        guard classes > train.classCount || (test.map { classes > $0.classCount } ?? false) else { return self }
        var names = classNames
        if let known = names, known.count < classes { names = known + (known.count..<classes).map(String.init) }
        return Dataset(name: name, train: train.widened(toClasses: classes), test: test?.widened(toClasses: classes), classNames: names)
    }

    /// The digits' classes: "0" to "9".
    public static let digitClassNames = (0...9).map(String.init)

    /// Fashion-MNIST's ten classes, in label order.
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
}
