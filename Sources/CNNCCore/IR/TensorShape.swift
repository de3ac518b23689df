/// The shape of one sample's tensor, without the batch axis, channels last
/// (Keras's default `channels_last`): `[height, width, channels]` for images,
/// `[features]` after Flatten.
public struct TensorShape: Hashable, Sendable, Codable, CustomStringConvertible {
    public var dimensions: [Int]

    public init(_ dimensions: [Int]) { self.dimensions = dimensions }

    public var rank: Int { dimensions.count }

    /// Elements in one sample; callers have checked it fits (see `CheckedArithmetic`).
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// The last axis: channels for images, features for vectors.
    public var lastAxis: Int { dimensions.last ?? 1 }

    /// Keras's rendering with the batch axis: `(None, 28, 28, 8)`; `(None, 26)`.
    public var description: String {
        "(" + (["None"] + dimensions.map(String.init)).joined(separator: ", ") + ")"
    }

    /// `6x6x3`, the way the course writes volumes.
    public var volumeText: String { dimensions.map(String.init).joined(separator: "x") }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dimensions)
    }

    public init(from decoder: any Decoder) throws {
        dimensions = try decoder.singleValueContainer().decode([Int].self)
    }
}
