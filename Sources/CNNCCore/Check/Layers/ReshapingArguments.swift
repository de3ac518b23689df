/// Layers that only move, add or drop values: Flatten, Reshape, ZeroPadding2D,
/// Cropping2D, and UpSampling2D (which repeats or interpolates them).
enum ReshapingArguments {
    static let flatten = LayerDecoder(arguments: ["data_format"]) { reader in
        reader.channelsLast()
        return .flatten
    }

    /// `target_shape`: whole numbers ≥ 1, at most one of them -1 (the size Keras infers).
    static let reshape = LayerDecoder(arguments: ["target_shape"]) { reader in
        guard let value = reader.value("target_shape"), !value.isNull else {
            reader.error("Reshape needs 'target_shape' (the shape of one sample, e.g. [1, 1, 32]; one size may be -1)", at: reader.layerLocation)
            return nil
        }
        let sizes = value.list?.map { item -> Int? in
            guard case .int(let size) = item.kind, size == -1 || (size >= 1 && size <= ArgumentLimits.maximumSize) else { return nil }
            return size
        }
        guard let sizes, !sizes.isEmpty, !sizes.contains(nil), sizes.filter({ $0 == -1 }).count <= 1 else {
            reader.error("'target_shape' must be a list of whole numbers ≥ 1 with at most one -1 (the size Keras infers), got \(value.sourceText)", at: value.location)
            return nil
        }
        return .reshape(ReshapeConfig(targetShape: sizes.compactMap { $0 }))
    }

    static let zeroPadding2D = LayerDecoder(arguments: ["padding", "data_format"]) { reader in
        reader.channelsLast()
        return sides(&reader, key: "padding").map(LayerOperation.zeroPadding2D)
    }

    static let cropping2D = LayerDecoder(arguments: ["cropping", "data_format"]) { reader in
        reader.channelsLast()
        return sides(&reader, key: "cropping", default: 0).map(LayerOperation.cropping2D)
    }

    /// `size` (one factor for both axes or [rows, columns], 2 by default) and
    /// `interpolation` (`nearest` by default, or `bilinear`).
    static let upSampling2D = LayerDecoder(arguments: ["size", "data_format", "interpolation"]) { reader in
        let size = reader.pair("size", default: .square(2), meaning: "how many times each row and column is repeated")
        let interpolation = upSamplingInterpolation(&reader)
        reader.channelsLast()
        guard let size, let interpolation else { return nil }
        return .upSampling2D(UpSampling2DConfig(size: size, interpolation: interpolation))
    }

    /// Resizing: `height`, `width` (required), `interpolation` (bilinear),
    /// `crop_to_aspect_ratio` or `pad_to_aspect_ratio` (with `fill_value`;
    /// `fill_mode` constant, the only one Keras takes), `antialias`.
    static let resizing = LayerDecoder(arguments: ["height", "width", "interpolation", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
                                                   "fill_mode", "fill_value", "antialias", "data_format"]) { reader in
        let height = reader.int("height", default: nil, meaning: "the output's rows")
        let width = reader.int("width", default: nil, meaning: "the output's columns")
        checkTableSize(height, width, &reader)
        let interpolation = resizingInterpolation(&reader)
        let crop = reader.bool("crop_to_aspect_ratio", default: false)
        let pad = reader.bool("pad_to_aspect_ratio", default: false)
        if crop == true, pad == true, let value = reader.value("pad_to_aspect_ratio") {
            reader.error("only one of 'crop_to_aspect_ratio' and 'pad_to_aspect_ratio' can be true, as Keras says", at: value.location)
        }
        reader.requireValue("fill_mode", equalTo: "constant", matches: { $0.string == "constant" }, because: "Keras pads with a constant")
        let largest = Double(Float.greatestFiniteMagnitude)
        let fill = reader.number("fill_value", default: 0, in: -largest...largest, rangeText: "a number that fits in float32 (at most 3.4e38 in size)")
        let antialias = reader.bool("antialias", default: false)
        reader.channelsLast()
        if let rank = reader.inputRank, rank != 3 {
            reader.error("Resizing resizes images (height, width, channels), but its input has \(rank) axes", at: reader.layerLocation)
        }
        guard let height, let width, let interpolation, let crop, let pad, let fill, let antialias else { return nil }
        return .resizing(ResizingConfig(height: height, width: width, bilinear: interpolation == .bilinear, cropToAspectRatio: crop,
                                        padToAspectRatio: pad, fillValue: fill, antialias: antialias))
    }

    /// CenterCrop: `height`, `width`; the middle of the input, or the input
    /// cropped to their aspect ratio and resized when it is smaller.
    static let centerCrop = LayerDecoder(arguments: ["height", "width", "data_format"]) { reader in
        let height = reader.int("height", default: nil, meaning: "the output's rows")
        let width = reader.int("width", default: nil, meaning: "the output's columns")
        checkTableSize(height, width, &reader)
        reader.channelsLast()
        if let rank = reader.inputRank, rank != 3 {
            reader.error("CenterCrop crops images (height, width, channels), but its input has \(rank) axes", at: reader.layerLocation)
        }
        guard let height, let width else { return nil }
        return .resizing(ResizingConfig(height: height, width: width, bilinear: true, cropToAspectRatio: true, padToAspectRatio: false,
                                        fillValue: 0, antialias: false, centerCrop: true))
    }

    /// The generated code holds a tap table for every output row and column.
    static let largestResizedSide = 65_536

    private static func checkTableSize(_ height: Int?, _ width: Int?, _ reader: inout ArgumentReader) {
        for (key, side) in [("height", height), ("width", width)] {
            if let side, side > largestResizedSide, let value = reader.value(key) {
                reader.error("'\(key): \(side)' is more than cnnc resizes to (at most \(largestResizedSide) rows or columns: the generated code holds each one's taps)", at: value.location)
            }
        }
    }

    private static func resizingInterpolation(_ reader: inout ArgumentReader) -> UpSampling2DConfig.Interpolation? {
        guard reader.value("interpolation") != nil else { return .bilinear }
        return upSamplingInterpolation(&reader)
    }

    /// Keras also resizes by `bicubic`, `lanczos3`, `lanczos5` and `area`: named
    /// as not computed by cnnc rather than as unknown words.
    private static func upSamplingInterpolation(_ reader: inout ArgumentReader) -> UpSampling2DConfig.Interpolation? {
        let kerasOnly: Set<String> = ["bicubic", "lanczos3", "lanczos5", "area"]
        if let value = reader.value("interpolation"), let word = value.string, kerasOnly.contains(word.lowercased()) {
            let supported = UpSampling2DConfig.Interpolation.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            reader.error("'interpolation: \(word)' is a Keras interpolation cnnc does not compute yet (supported: \(supported))", at: value.location)
            return nil
        }
        return reader.choice("interpolation", default: UpSampling2DConfig.Interpolation.nearest)
    }

    /// The rows and columns at each side: one number for every side, `[rows, columns]`
    /// for the same at both ends, or `[[top, bottom], [left, right]]`, as in Keras.
    private static func sides(_ reader: inout ArgumentReader, key: String, default both: Int = 1) -> Padding2D? {
        guard let value = reader.value(key), !value.isNull else { return Padding2D(top: both, bottom: both, left: both, right: both) }
        func amount(_ item: SpecValue) -> Int? {
            guard case .int(let number) = item.kind, number >= 0, number <= ArgumentLimits.maximumSize else { return nil }
            return number
        }
        func pair(_ item: SpecValue) -> (Int, Int)? {
            if let both = amount(item) { return (both, both) }
            guard let items = item.list, items.count == 2, let first = amount(items[0]), let second = amount(items[1]) else { return nil }
            return (first, second)
        }
        if let both = amount(value) {
            return Padding2D(top: both, bottom: both, left: both, right: both)
        }
        if let items = value.list, items.count == 2 {
            if let rows = amount(items[0]), let columns = amount(items[1]) {
                return Padding2D(top: rows, bottom: rows, left: columns, right: columns)
            }
            if let rows = pair(items[0]), let columns = pair(items[1]) {
                return Padding2D(top: rows.0, bottom: rows.1, left: columns.0, right: columns.1)
            }
        }
        reader.error("'\(key)' must be a whole number ≥ 0, [rows, columns] or [[top, bottom], [left, right]], got \(value.sourceText)", at: value.location)
        return nil
    }
}
