import CNNCRuntime
import Foundation

/// One image's transformation, with the meaning and names of the dictionary
/// Keras's `ImageDataGenerator.apply_transform(x, transform_parameters)` takes:
/// `theta` (rotation, degrees), `tx`, `ty` (shifts in pixels; Keras draws `tx`
/// from `height_shift_range` and `ty` from `width_shift_range`), `shear`
/// (degrees), `zx`, `zy` (zoom; above 1 shows less of the image), and flips.
public struct ImageTransformParameters: Sendable, Equatable {
    public var theta: Double
    public var tx: Double
    public var ty: Double
    public var shear: Double
    public var zx: Double
    public var zy: Double
    public var flipHorizontal: Bool
    public var flipVertical: Bool

    public init(theta: Double = 0, tx: Double = 0, ty: Double = 0, shear: Double = 0, zx: Double = 1, zy: Double = 1,
                flipHorizontal: Bool = false, flipVertical: Bool = false) {
        self.theta = theta
        self.tx = tx
        self.ty = ty
        self.shear = shear
        self.zx = zx
        self.zy = zy
        self.flipHorizontal = flipHorizontal
        self.flipVertical = flipVertical
    }

    /// Where each output pixel samples the input, as Keras's `apply_affine_transform`
    /// builds it for a channels-last image of `height` × `width`; nil when Keras
    /// skips resampling (no rotation, shift, shear or zoom), which leaves pixels exact.
    ///
    /// Keras composes rotation · shift · shear · zoom in (x, y) order, moves the
    /// origin to the centre with `transform_matrix_offset_center(m, h, w)` (so the
    /// first axis is centred at h/2 − 0.5 and the second at w/2 − 0.5), then swaps
    /// both axes into numpy's (row, column) order. That swap also moves the centre
    /// offsets, so a non-square image turns about a point off its centre: Keras
    /// does exactly this, and so do we. Products are formed in numpy's order.
    public func samplingMap(height: Int, width: Int) -> AffineSamplingMap? {
        var matrix: Matrix3?
        func compose(_ next: Matrix3) { matrix = matrix.map { $0 * next } ?? next }
        if theta != 0 {
            let angle = theta * (Double.pi / 180)  // numpy.deg2rad
            let cosine = cos(angle), sine = sin(angle)
            compose(Matrix3(cosine, -sine, 0, sine, cosine, 0))
        }
        if tx != 0 || ty != 0 { compose(Matrix3(1, 0, tx, 0, 1, ty)) }
        if shear != 0 {
            let angle = shear * (Double.pi / 180)
            compose(Matrix3(1, -sin(angle), 0, 0, cos(angle), 0))
        }
        if zx != 1 || zy != 1 { compose(Matrix3(zx, 0, 0, 0, zy, 0)) }
        guard let transform = matrix else { return nil }
        let centreX = Double(height) / 2 - 0.5, centreY = Double(width) / 2 - 0.5
        let offset = Matrix3(1, 0, centreX, 0, 1, centreY)
        let reset = Matrix3(1, 0, -centreX, 0, 1, -centreY)
        let m = (offset * transform) * reset
        // Swap columns 0 and 1, then rows 0 and 1.
        return AffineSamplingMap(
            rowFromRow: m[1, 1], rowFromColumn: m[1, 0], rowOffset: m[1, 2],
            columnFromRow: m[0, 1], columnFromColumn: m[0, 0], columnOffset: m[0, 2])
    }
}

/// Output pixel (r, c) samples the input at
/// (rowFromRow·r + rowFromColumn·c + rowOffset, columnFromRow·r + columnFromColumn·c + columnOffset):
/// scipy.ndimage.affine_transform's matrix and offset.
public struct AffineSamplingMap: Sendable, Equatable {
    public var rowFromRow, rowFromColumn, rowOffset: Double
    public var columnFromRow, columnFromColumn, columnOffset: Double
}

/// A 3×3 matrix of homogeneous 2-D coordinates (last row 0 0 1), multiplied as numpy.dot does.
struct Matrix3: Equatable {
    var entries: [Double]

    /// The first two rows; the third is 0 0 1.
    init(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double) {
        entries = [a, b, c, d, e, f, 0, 0, 1]
    }

    init(entries: [Double]) { self.entries = entries }

    subscript(row: Int, column: Int) -> Double { entries[row * 3 + column] }

    static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        var product = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0..<3 {
                var sum: Double = a[i, 0] * b[0, j]
                sum += a[i, 1] * b[1, j]
                sum += a[i, 2] * b[2, j]
                product[i * 3 + j] = sum
            }
        }
        return Matrix3(entries: product)
    }
}
