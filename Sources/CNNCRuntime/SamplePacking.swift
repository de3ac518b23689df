/// Batches of a model's several inputs (or outputs) to and from its packed
/// form: sample by sample, each tensor after the one before it, as
/// `CompiledModel.inputLayout` and `outputLayout` place them. `cnnc predict`
/// packs the arrays it is given by input name and unpacks the outputs by
/// output name; the model itself only ever sees packed samples.
public enum SamplePacking {
    /// One array per tensor of `layout`, in its order, into one batch of
    /// packed samples. Each array is (N, …shape) or one sample (…shape), a
    /// trailing channel axis of 1 may be left out, and every array must hold
    /// the same N. `sources` names each array in messages, and `role` what
    /// the tensors are to the model ("input", or "output" for targets).
    public static func pack(_ arrays: [NPYFile], layout: [TensorLayout], sources: [String], role: String = "input") throws(RuntimeError) -> NPYFile {
        guard arrays.count == layout.count, sources.count == layout.count else {
            throw RuntimeError("the model has \(layout.count) \(role)s (\(layout.map(\.name).joined(separator: ", "))); got \(arrays.count) arrays")
        }
        var counts: [Int] = []
        for index in layout.indices {
            counts.append(try layout[index].batchCount(of: arrays[index], path: sources[index], role: role))
        }
        guard let samples = counts.first, counts.allSatisfy({ $0 == samples }) else {
            let described = layout.indices.map { "\(layout[$0].name): \(counts[$0])" }.joined(separator: ", ")
            throw RuntimeError("the \(role)s' arrays hold different numbers of samples (\(described)); each needs one row per sample")
        }
        let width = layout.reduce(0) { $0 + $1.count }
        var packed = [Float](repeating: 0, count: samples * width)
        for (tensor, array) in zip(layout, arrays) {
            let count = tensor.count
            for sample in 0..<samples {
                let target = sample * width + tensor.offset
                packed[target..<(target + count)] = array.values[(sample * count)..<((sample + 1) * count)]
            }
        }
        return NPYFile(shape: [samples, width], values: packed)
    }

    /// A batch of `samples` packed samples split into one array per tensor
    /// of `layout`, each of shape (samples, …shape).
    public static func unpack(_ values: [Float], samples: Int, layout: [TensorLayout]) throws(RuntimeError) -> [NPYFile] {
        let width = layout.reduce(0) { $0 + $1.count }
        guard values.count == samples * width else {
            throw RuntimeError("the outputs hold \(values.count) values; \(samples) samples of \(width) were expected")
        }
        return layout.map { tensor in
            var part: [Float] = []
            part.reserveCapacity(samples * tensor.count)
            for sample in 0..<samples {
                let start = sample * width + tensor.offset
                part += values[start..<(start + tensor.count)]
            }
            return NPYFile(shape: [samples] + tensor.shape, values: part)
        }
    }
}

extension TensorLayout {
    /// How many samples of this tensor `array` holds: shape (N, …shape) or
    /// one sample (…shape); a trailing axis of 1 may be left out, as numpy
    /// images often are and as Keras's `fit` takes labels (N,) for a
    /// one-unit head's (N, 1).
    public func batchCount(of array: NPYFile, path: String, role: String = "input") throws(RuntimeError) -> Int {
        let squeezed = shape.last == 1 ? Array(shape.dropLast()) : nil
        for form in [shape, squeezed].compactMap({ $0 }) {
            if array.shape == form { return 1 }
            if array.shape.count == form.count + 1, Array(array.shape.dropFirst()) == form { return array.shape[0] }
        }
        let what = name == role ? "the model takes" : "the model's \(role) '\(name)' takes"
        throw RuntimeError("\(path): the \(role) has shape \(TensorLayout.shapeText(array.shape)); \(what) (N, \(shape.map(String.init).joined(separator: ", "))), a batch of \(TensorLayout.shapeText(shape)) samples")
    }
}
