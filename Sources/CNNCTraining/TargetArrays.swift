import CNNCRuntime

/// A model's training targets from the arrays a Keras user has, one per
/// output, packed as the model's `outputLayout`. Each array holds the
/// output's shape per sample, except for an output of K > 1 class scores
/// trained with cross-entropy: its array may hold class labels, (N,) or
/// (N, 1), as Keras's `sparse_categorical_crossentropy` takes them, which
/// become one-hot rows here.
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

    /// Class labels for a cross-entropy output of several classes, one-hot;
    /// any other array as it is.
    static func oneHotIfLabels(_ array: NPYFile, for output: TensorLayout, loss: LossFunction, source: String) throws(RuntimeError) -> NPYFile {
        let classes = output.count
        let labelShapes = [[array.shape.first ?? 0], [array.shape.first ?? 0, 1]]
        guard loss == .categoricalCrossEntropy, output.shape.count == 1, classes > 1, labelShapes.contains(array.shape) else { return array }
        let samples = array.shape[0]
        var rows = [Float](repeating: 0, count: samples * classes)
        for (sample, label) in array.values.enumerated() {
            guard label.rounded() == label, label >= 0, label < Float(classes) else {
                throw RuntimeError("\(source): label \(label) of sample \(sample) is not a class of '\(output.name)'; labels must be whole numbers 0 to \(classes - 1)")
            }
            rows[sample * classes + Int(label)] = 1
        }
        return NPYFile(shape: [samples, classes], values: rows)
    }
}
