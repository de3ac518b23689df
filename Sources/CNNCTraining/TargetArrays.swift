import CNNCRuntime

/// A model's training targets from the arrays a Keras user has, one per
/// output, packed as the model's `outputLayout`. Each array holds the
/// output's shape per sample, except for an output of K > 1 class scores
/// trained with cross-entropy: its array may hold class labels, (N,) or
/// (N, 1), or one per position for scores at each position, as Keras's
/// `sparse_categorical_crossentropy` takes them, which become one-hot rows here.
public enum TargetArrays {
    public static func pack(_ arrays: [NPYFile], layout: [TensorLayout], loss: ModelLoss, sources: [String]) throws(RuntimeError) -> NPYFile {
        guard arrays.count == layout.count, loss.functions.count == layout.count, sources.count == layout.count else {
            throw RuntimeError("the model has \(layout.count) outputs (\(layout.map(\.name).joined(separator: ", "))); got \(arrays.count) target arrays")
        }
        var expanded: [NPYFile] = []
        for index in layout.indices {
            expanded.append(try oneHotIfLabels(arrays[index], for: layout[index], loss: loss.functions[index], source: sources[index]))
        }
        return try SamplePacking.pack(expanded, layout: layout, sources: sources, role: "output")
    }

    /// Whether `array` holds class labels, one per sample (N,) or (N, 1), for
    /// an output of several class scores, or one per position of an output
    /// of scores at each position (a segmentation head's (H, W, K): labels
    /// (N, H, W) or (N, H, W, 1), as `sparse_categorical_crossentropy` takes
    /// them), rather than the output's own values.
    public static func holdsLabels(_ array: NPYFile, for output: TensorLayout) -> Bool {
        guard let classes = output.shape.last, classes > 1, let samples = array.shape.first else { return false }
        let positions = Array(output.shape.dropLast())
        return array.shape == [samples] + positions || array.shape == [samples] + positions + [1]
    }

    /// Class labels for a cross-entropy output of several classes, one-hot
    /// at each position; any other array as it is.
    static func oneHotIfLabels(_ array: NPYFile, for output: TensorLayout, loss: LossFunction, source: String) throws(RuntimeError) -> NPYFile {
        guard loss == .categoricalCrossEntropy, holdsLabels(array, for: output), let classes = output.shape.last else { return array }
        let samples = array.shape[0], positions = output.count / classes
        var rows = [Float](repeating: 0, count: array.values.count * classes)
        for (index, label) in array.values.enumerated() {
            guard label.rounded() == label, label >= 0, label < Float(classes) else {
                let place = positions == 1 ? "sample \(index)" : "sample \(index / positions), position \(index % positions)"
                throw RuntimeError("\(source): label \(label) of \(place) is not a class of '\(output.name)'; labels must be whole numbers 0 to \(classes - 1)")
            }
            rows[index * classes + Int(label)] = 1
        }
        return NPYFile(shape: [samples] + output.shape, values: rows)
    }
}
