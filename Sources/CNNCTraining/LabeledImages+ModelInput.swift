import CNNCRuntime

extension LabeledImages {
    /// Images must have the model's input shape, or at least its size when the
    /// model takes a flat vector (a Dense-only model on 28x28 images, which
    /// Keras users feed as `x.reshape(-1, 784)`: the same values in the same order).
    /// A model of sequences (steps, channels) takes them as images of one row
    /// or of one channel, (1, steps, channels) or (steps, channels, 1), which
    /// hold the same values in the same order.
    public func checkFits<Model: CompiledModel>(_ model: Model.Type) throws(RuntimeError) {
        try checkFits(inputShape: Model.inputShape)
    }

    /// The same check against a model's input shape alone, so that cnnc
    /// refuses data of the wrong shape before it spends a build on the model.
    public func checkFits(inputShape: [Int]) throws(RuntimeError) {
        let sequence = inputShape.count == 2 && imageShape.filter { $0 != 1 } == inputShape.filter { $0 != 1 }
        let fits = imageShape == inputShape || (inputShape.count == 1 && imageSize == inputShape[0]) || sequence
        guard fits else {
            throw RuntimeError("the images are \(TensorLayout.shapeText(imageShape)) but the model takes \(TensorLayout.shapeText(inputShape))")
        }
    }
}
