import CNNCRuntime

/// What an augmentation puts where the transformed image reaches past the
/// original's edge: Keras's `fill_mode` (and `cval`), which scipy.ndimage
/// implements. For a row `a b c d`:
/// - nearest:  `a a a a | a b c d | d d d d` (Keras's default)
/// - constant: `k k k k | a b c d | k k k k`, k = cval; also every point past the
///   outermost pixel centres, since scipy does not interpolate into the border
/// - reflect:  `d c b a | a b c d | d c b a` (mirrored about the pixel edge)
/// - wrap:     `a b c d` repeated with the first and last pixel overlapping,
///   i.e. with period width − 1 (scipy's legacy 'wrap', which Keras uses)
public enum FillMode: Codable, Sendable, Equatable, CustomStringConvertible {
    case nearest
    case constant(cval: Double)
    case reflect
    case wrap

    /// Keras's spelling: `nearest`, `constant` (with `cval`), `reflect`, `wrap`.
    public init(keras name: String, cval: Double = 0) throws(RuntimeError) {
        switch name {
        case "nearest": self = .nearest
        case "constant": self = .constant(cval: cval)
        case "reflect": self = .reflect
        case "wrap": self = .wrap
        default: throw RuntimeError("fill_mode '\(name)' is not one of nearest, constant, reflect, wrap")
        }
    }

    public var description: String {
        switch self {
        case .nearest: "nearest"
        case .constant(let cval): "constant(cval=\(cval))"
        case .reflect: "reflect"
        case .wrap: "wrap"
        }
    }
}
