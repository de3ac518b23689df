/// The bytes a layer must move for one sample at inference, whatever its
/// kernel: it reads each of its inputs and its weights once and writes its
/// output once, in float32. `cnnc bench --per-layer` divides them by the
/// layer's time for its GB/s, which says how near a layer that does few
/// multiply-adds per value (DepthwiseConv2D, pooling, BatchNormalization, a
/// merge) comes to the rate a copy runs at. Padded copies, a kernel's scratch
/// and reads a cache misses are not counted: they are what a kernel pays
/// on top of this.
extension CheckedModel {
    /// nil for a layer that computes nothing at inference (Flatten, Reshape,
    /// Dropout, a training-only layer, a linear Activation: `predict` passes
    /// its input on), or when the count would overflow.
    public func trafficBytes(ofLayer index: Int) -> Int? {
        let layer = layers[index]
        switch layer.operation {
        case .flatten, .reshape, .dropout, .identityAtInference, .activation(.linear): return nil
        default: break
        }
        // A later call of a shared layer reads the weights its first call holds.
        let weights = layers[layer.sharesWeightsOf ?? index].parameters
        let values = layer.inputs.map { shape(of: $0).elementCount } + [layer.outputShape.elementCount, weights]
        return CheckedArithmetic.sum(values).flatMap { CheckedArithmetic.product($0, MemoryLayout<Float>.size) }
    }
}
