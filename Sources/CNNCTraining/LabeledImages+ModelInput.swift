import CNNCRuntime

extension LabeledImages {
    /// Images must have the model's input shape, or at least its size when the
    /// model takes a flat vector (a Dense-only model on 28x28 images, which
    /// Keras users feed as `x.reshape(-1, 784)`: the same values in the same order).
    public func checkFits<Model: CompiledModel>(_ model: Model.Type) throws(RuntimeError) {
        let fits = imageShape == Model.inputShape || (Model.inputShape.count == 1 && imageSize == Model.inputCount)
        guard fits else {
            throw RuntimeError("the images are \(TensorLayout.shapeText(imageShape)) but the model takes \(TensorLayout.shapeText(Model.inputShape))")
        }
    }
}
