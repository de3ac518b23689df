import Foundation

/// Viridis, the perceptual palette every picture of cnnc shades with: dark
/// purple for the least, yellow for the most, evenly bright in between and
/// readable with colour-blindness.
enum Viridis {
    /// Eleven of its colours, from 0 to 1 in steps of 0.1.
    static let stops: [(UInt8, UInt8, UInt8)] = [(68, 1, 84), (72, 36, 117), (65, 68, 135), (53, 95, 141), (42, 120, 142), (33, 145, 140),
                                                 (34, 168, 132), (68, 191, 112), (122, 209, 81), (189, 223, 38), (253, 231, 37)]

    /// The stops as SVG colours (`#440154`).
    static let hexStops: [String] = stops.map { String(format: "#%02x%02x%02x", $0.0, $0.1, $0.2) }

    /// 256 steps, interpolated between the stops: a PNG palette.
    static let palette: [(UInt8, UInt8, UInt8)] = (0..<256).map { step in
        let position = Double(step) / 255 * Double(stops.count - 1)
        let low = min(Int(position), stops.count - 2), t = position - Double(low)
        let (a, b) = (stops[low], stops[low + 1])
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * t).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
