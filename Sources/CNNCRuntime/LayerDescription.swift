/// One layer of a compiled model as Keras names it: what `cnnc verify` and
/// `--dump-layers` use to line the model up with a Keras reference.
public struct LayerDescription: Sendable, Hashable, Codable {
    /// Keras's layer name (`conv2d_1`).
    public let name: String
    /// Keras's class name (`Conv2D`).
    public let className: String
    /// One sample's output shape, without the batch axis.
    public let outputShape: [Int]

    public init(name: String, className: String, outputShape: [Int]) {
        self.name = name
        self.className = className
        self.outputShape = outputShape
    }

    public var outputCount: Int { outputShape.reduce(1, *) }
}
