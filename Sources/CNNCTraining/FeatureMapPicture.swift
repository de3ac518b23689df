import Foundation

/// What a convolution sees, drawn as the course draws it: a grid of small
/// images, one per channel of a layer's output for one input (its feature
/// maps), or one per filter and input channel of a first layer's kernel.
/// Each image is a PNG inside one self-contained, deterministic SVG, its
/// values spread over viridis (dark for the lowest, yellow for the highest),
/// with the channel's range in its tooltip.
package enum FeatureMapPicture {
    /// At most this many images per picture: a layer of 512 channels would be a wall.
    package static let imageLimit = 64
    static let gap = 8, labelHeight = 16, top = 48

    /// The feature maps of one sample: `values` are (height, width, channels), channels last.
    /// Each map is scaled to its own range, so a faint channel still shows its pattern.
    package static func featureMaps(_ values: [Float], height: Int, width: Int, channels: Int,
                                    layer: String, className: String) -> String {
        let shown = min(channels, imageLimit)
        let images = (0..<shown).map { channel in
            Tile(label: "\(channel)", values: (0..<(height * width)).map { values[$0 * channels + channel] })
        }
        let more = channels > shown ? " (the first \(shown) of \(channels))" : ""
        // Strips of a sequence are long: four to a row.
        return svg(images, height: height, width: width, columns: min(shown, height == 1 ? 4 : 8), scaleOverAll: false,
                   title: "\(layer) (\(className)): feature maps",
                   description: "The \(channels) feature maps\(more) of layer \(layer) (\(className)), \(height) by \(width), for the first input; each scaled from its lowest value (dark) to its highest (yellow).")
    }

    /// A kernel (kh, kw, inputs, filters) in Keras's layout: a row per filter, a
    /// column per input channel, all on one scale so filters can be compared.
    package static func filters(_ kernel: [Float], height: Int, width: Int, inputs: Int, filters: Int, layer: String) -> String {
        let rows = min(filters, imageLimit), columns = min(inputs, 8)
        var images: [Tile] = []
        for filter in 0..<rows {
            for input in 0..<columns {
                images.append(Tile(label: inputs == 1 ? "\(filter)" : "\(filter).\(input)",
                                   values: (0..<(height * width)).map { kernel[($0 * inputs + input) * filters + filter] }))
            }
        }
        let more = filters > rows ? " (the first \(rows))" : ""
        // Over one input channel, the filters fill rows of 8 instead of one column.
        let layout = inputs == 1 ? "8 filters to a row" : "a row per filter, a column per input channel, labelled filter.channel"
        return svg(images, height: height, width: width, columns: inputs == 1 ? min(rows, 8) : columns, scaleOverAll: true,
                   title: "\(layer): filters",
                   description: "The \(filters) filters\(more) of layer \(layer), \(height) by \(width) over \(inputs) input channel(s): \(layout), all on one scale from the lowest weight (dark) to the highest (yellow).")
    }

    struct Tile {
        var label: String
        var values: [Float]
    }

    private static func svg(_ tiles: [Tile], height: Int, width: Int, columns: Int, scaleOverAll: Bool,
                            title: String, description: String) -> String {
        // Small maps are drawn larger, pixel for pixel, so a 5x5 filter is not a dot;
        // a sequence's map (one row: Conv1D) is a strip at least 12 pixels high.
        let scale = max(1, Int((48.0 / Double(max(height, width))).rounded(.up)))
        let rowScale = height == 1 ? max(scale, 12) : scale
        let cellWidth = max(width * scale, 40) + gap, cellHeight = height * rowScale + labelHeight + gap
        let rows = (tiles.count + columns - 1) / max(columns, 1)
        let pictureWidth = max(columns * cellWidth + gap, 360), pictureHeight = top + rows * cellHeight
        let all = tiles.flatMap(\.values).filter(\.isFinite)
        let overall = (all.min() ?? 0, all.max() ?? 0)
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(pictureWidth)\" height=\"\(pictureHeight)\" viewBox=\"0 0 \(pictureWidth) \(pictureHeight)\" role=\"img\" aria-labelledby=\"title description\">",
                   "<title id=\"title\">\(SVGText.escaped(title))</title>",
                   "<desc id=\"description\">\(SVGText.escaped(description))</desc>",
                   "<style>",
                   "  .label { fill: #1b1b1b; font: 12px sans-serif; } .small { fill: #1b1b1b; font: 10px sans-serif; }",
                   "  @media (prefers-color-scheme: dark) { .label, .small { fill: #f0f0f0; } }",
                   "  image { image-rendering: pixelated; }",
                   "</style>",
                   "<text class=\"label\" x=\"\(gap)\" y=\"20\">\(SVGText.escaped(title))</text>",
                   scaleOverAll ? "<text class=\"small\" x=\"\(gap)\" y=\"36\">from \(number(overall.0)) (dark) to \(number(overall.1)) (yellow)</text>"
                                : "<text class=\"small\" x=\"\(gap)\" y=\"36\">each map from its lowest value (dark) to its highest (yellow)</text>"]
        for (index, tile) in tiles.enumerated() {
            let x = gap + (index % columns) * cellWidth, y = top + (index / columns) * cellHeight
            let finite = tile.values.filter(\.isFinite)
            let range = scaleOverAll ? overall : (finite.min() ?? 0, finite.max() ?? 0)
            let png = PNGImage(width: width, height: height, pixels: .indexed(palette: Viridis.palette, indices: tile.values.map { level($0, range) }))
            out.append("<image x=\"\(x)\" y=\"\(y)\" width=\"\(width * scale)\" height=\"\(height * rowScale)\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,\(png.data.base64EncodedString())\"><title>\(SVGText.escaped(tile.label)): \(number(range.0)) to \(number(range.1))</title></image>")
            out.append("<text class=\"small\" x=\"\(x)\" y=\"\(y + height * rowScale + 12)\">\(SVGText.escaped(tile.label))</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// A value's place on the palette; a constant map is drawn in the middle, NaN and infinities at the ends.
    private static func level(_ value: Float, _ range: (Float, Float)) -> UInt8 {
        guard !value.isNaN else { return 0 }
        guard range.1 > range.0 else { return 128 }
        let share = (Double(value) - Double(range.0)) / (Double(range.1) - Double(range.0))
        return UInt8((min(max(share, 0), 1) * 255).rounded())
    }

    private static func number(_ value: Float) -> String { String(format: "%.4g", Double(value)) }
}
