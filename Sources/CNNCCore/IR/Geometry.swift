/// A height-and-width pair: kernel sizes, strides, dilation rates, pool sizes.
public struct Size2D: Hashable, Sendable, Codable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public static func square(_ side: Int) -> Size2D { Size2D(side, side) }

    /// `5x5`, as messages and the course write window sizes.
    public var description: String { "\(height)x\(width)" }
}

/// Rows and columns of zeros added around an image: the resolved amounts for
/// `padding: same` (TensorFlow's rule: the odd extra goes bottom/right) or
/// the explicit amounts of ZeroPadding2D.
public struct Padding2D: Hashable, Sendable, Codable {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    public static let zero = Padding2D(top: 0, bottom: 0, left: 0, right: 0)
}

/// Keras's `padding` argument of convolutions and pooling.
public enum PaddingMode: String, Hashable, Sendable, Codable, CaseIterable {
    case valid, same
}
