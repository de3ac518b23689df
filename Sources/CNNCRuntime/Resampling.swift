/// Bilinear resizing by a whole factor, as Keras 3's UpSampling2D computes it
/// (`jax.image.resize` with half-pixel centers; no antialiasing when enlarging).
public enum Resampling {
    /// Along one axis of `size` values enlarged `factor` times, output index
    /// `output` samples the input at p = (output + 0.5) / factor − 0.5: it is
    /// (1 − highWeight)·x[low] + highWeight·x[high] with low = ⌊p⌋, high = low + 1,
    /// highWeight = p − ⌊p⌋. A neighbour outside the image is replaced by the
    /// edge value (jax drops it and renormalises the other's weight to 1: the same).
    @inlinable
    public static func bilinearTap(_ output: Int, factor: Int, size: Int) -> (low: Int, high: Int, highWeight: Float) {
        let position = (Float(output) + 0.5) / Float(factor) - 0.5
        let floor = position.rounded(.down)
        let low = Int(floor)
        return (Swift.min(Swift.max(low, 0), size - 1), Swift.min(low + 1, size - 1), position - floor)
    }
}
