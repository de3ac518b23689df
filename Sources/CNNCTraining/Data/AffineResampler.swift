import CNNCRuntime

/// Resamples a channels-last image through an `AffineSamplingMap` with linear
/// interpolation and a `FillMode`: what scipy.ndimage.affine_transform(order=1,
/// mode=…, cval=…) does to each channel plane under Keras's `apply_transform`.
///
/// scipy's rules, reproduced here: along each axis a sample coordinate outside
/// the image is first folded back in by the fill mode (`constant` instead marks
/// the whole output pixel as cval); then the two neighbouring pixels are
/// weighted linearly, a neighbour that falls outside being folded back in
/// again, for `constant` and `wrap` by mirroring about the outermost pixel.
enum AffineResampler {
    static func resample(_ image: UnsafeBufferPointer<Float>, height: Int, width: Int, channels: Int,
                         map: AffineSamplingMap, fillMode: FillMode, into output: UnsafeMutableBufferPointer<Float>) {
        let rule = BorderRule(fillMode)
        for row in 0..<height {
            for column in 0..<width {
                let r = Double(row), c = Double(column)
                // scipy adds the offset first, then each coordinate's term.
                let rowCoordinate = map.rowOffset + r * map.rowFromRow + c * map.rowFromColumn
                let columnCoordinate = map.columnOffset + r * map.columnFromRow + c * map.columnFromColumn
                let base = (row * width + column) * channels
                guard let rowTaps = AxisTaps(rowCoordinate, length: height, rule: rule),
                      let columnTaps = AxisTaps(columnCoordinate, length: width, rule: rule) else {
                    if case .constant(let cval) = fillMode {
                        for channel in 0..<channels { output[base + channel] = Float(cval) }
                    }
                    continue
                }
                for channel in 0..<channels {
                    func pixel(_ y: Int, _ x: Int) -> Double { Double(image[(y * width + x) * channels + channel]) }
                    let value = pixel(rowTaps.first, columnTaps.first) * rowTaps.firstWeight * columnTaps.firstWeight
                        + pixel(rowTaps.first, columnTaps.second) * rowTaps.firstWeight * columnTaps.secondWeight
                        + pixel(rowTaps.second, columnTaps.first) * rowTaps.secondWeight * columnTaps.firstWeight
                        + pixel(rowTaps.second, columnTaps.second) * rowTaps.secondWeight * columnTaps.secondWeight
                    output[base + channel] = Float(value)
                }
            }
        }
    }
}

/// scipy's border rules (`NI_ExtendMode`): the four fill modes, plus the
/// whole-sample mirror scipy uses for the neighbours of `constant` and `wrap`.
enum BorderRule: Equatable {
    case nearest, constant, reflect, mirror, wrap

    init(_ fillMode: FillMode) {
        switch fillMode {
        case .nearest: self = .nearest
        case .constant: self = .constant
        case .reflect: self = .reflect
        case .wrap: self = .wrap
        }
    }

    /// The rule for the two neighbours of a coordinate already brought inside.
    var neighbourRule: BorderRule { self == .constant || self == .wrap ? .mirror : self }

    /// Brings a coordinate outside 0...length−1 back inside (scipy's
    /// `map_coordinate`); `constant` gives −1 for "outside".
    func fold(_ coordinate: Double, length: Int) -> Double {
        guard coordinate < 0 || coordinate > Double(length - 1) else { return coordinate }
        if length <= 1 { return self == .constant ? -1 : 0 }
        var x = coordinate
        let n = Double(length)
        switch self {
        case .nearest:
            return x < 0 ? 0 : n - 1
        case .constant:
            return -1
        case .reflect:  // period 2n, mirrored about the pixel edges −0.5 and n − 0.5
            let period = 2 * n
            if x < 0 {
                if x < -period { x += period * (-x / period).rounded(.towardZero) }
                return x < -n ? x + period : (x > -1e-15 ? 1e-15 : -x) - 1
            }
            x -= period * (x / period).rounded(.towardZero)
            return x >= n ? period - x - 1 : x
        case .mirror:  // period 2n − 2, mirrored about the outermost pixel centres
            let period = 2 * n - 2
            if x < 0 {
                x += period * (-x / period).rounded(.towardZero)
                return x <= 1 - n ? x + period : -x
            }
            x -= period * (x / period).rounded(.towardZero)
            return x >= n ? period - x : x
        case .wrap:  // period n − 1: the first and last pixel coincide
            let period = n - 1
            if x < 0 { return x + period * ((-x / period).rounded(.towardZero) + 1) }
            return x - period * (x / period).rounded(.towardZero)
        }
    }
}

/// The two pixels along one axis that a sample coordinate interpolates between, and their weights.
struct AxisTaps {
    var first: Int
    var second: Int
    var firstWeight: Double
    var secondWeight: Double

    /// nil when the coordinate lies outside the image under `constant` (the pixel is cval).
    init?(_ coordinate: Double, length: Int, rule: BorderRule) {
        // A transform with absurd ranges (a shift of 1e308 pixels) can send a
        // coordinate to ±infinity or NaN: far outside is where it is, and NaN reads nothing.
        guard !coordinate.isNaN else { return nil }
        let coordinate = min(max(coordinate, -1e12), 1e12)
        // `nearest` clamps the neighbours below instead of moving the coordinate
        // (kept within a pixel of the edge first, which changes nothing but the size of the integers).
        let inside = rule == .nearest ? min(max(coordinate, -2), Double(length) + 1) : rule.fold(coordinate, length: length)
        guard inside > -1 || rule == .nearest else { return nil }
        let start = inside.rounded(.down)
        first = Int(start)
        second = first + 1
        secondWeight = inside - start
        firstWeight = 1 - secondWeight
        if first < 0 || second >= length {
            first = Int(rule.neighbourRule.fold(Double(first), length: length))
            second = Int(rule.neighbourRule.fold(Double(second), length: length))
        }
    }
}
