/// Keras's image augmentation layers: each argument checked against what
/// Keras takes and kept (`RandomImageLayer`); the layer is identity at
/// inference and transforms each image at random in training
/// (`RandomImageTransform`).
enum RandomImageArguments {
    /// What an argument may be.
    private enum Kind: Equatable {
        /// One of these words.
        case choice([String])
        /// A fraction f (the range −f to f) or a range [low, high].
        case factor
        /// A fraction, a range, or null (RandomZoom's `width_factor`: as the height's).
        case optionalFactor
        case number
        /// [low, high] of the pixel values.
        case valueRange
    }

    private static let fillModes = Kind.choice(["reflect", "wrap", "constant", "nearest"])
    private static let interpolations = Kind.choice(["bilinear", "nearest"])
    private static let affine: [(String, Kind, required: Bool)] = [
        ("fill_mode", fillModes, false), ("interpolation", interpolations, false), ("fill_value", .number, false),
    ]

    /// Each class's arguments, as Keras 3.15's `get_config` lists them (besides `seed` and `data_format`).
    private static let classes: [String: [(String, Kind, required: Bool)]] = [
        "RandomFlip": [("mode", .choice(["horizontal_and_vertical", "horizontal", "vertical"]), false)],
        "RandomRotation": [("factor", .factor, true)] + affine,
        "RandomZoom": [("height_factor", .factor, true), ("width_factor", .optionalFactor, false)] + affine,
        "RandomTranslation": [("height_factor", .factor, true), ("width_factor", .factor, true)] + affine,
        "RandomContrast": [("factor", .factor, true), ("value_range", .valueRange, false)],
        "RandomBrightness": [("factor", .factor, true), ("value_range", .valueRange, false)],
    ]

    /// Whether a Keras class is one of Keras 3's image preprocessing layers,
    /// whose `call` takes `training=True` by default: these, Resizing and CenterCrop.
    static func isImagePreprocessing(_ className: String) -> Bool {
        classes[className] != nil || className == "Resizing" || className == "CenterCrop"
    }

    static let decoders: [String: LayerDecoder] = Dictionary(uniqueKeysWithValues: classes.map { className, arguments in
        let names = arguments.map(\.0) + ["seed", "data_format"]
        return (className, LayerDecoder(arguments: names) { reader in decode(className, arguments, &reader) })
    })

    /// The factors' bounds as Keras 3.15 checks them: RandomZoom's and
    /// RandomTranslation's every number (a zoom of −1 would scale by 0), the
    /// other layers' single number (`_FACTOR_BOUNDS`; a pair only needs to
    /// reach into them). Beyond Keras, no number above 10,000: a rotation of
    /// more turns than that, or a brightness of more image ranges, only
    /// overflows float32 in the transform.
    private static func factorProblem(_ className: String, _ argument: RandomImageArgument) -> String? {
        let numbers = argument.numbers
        if let huge = numbers.first(where: { abs($0) > 10_000 }) { return "each number must be at most 10000 in size, not \(huge)" }
        switch className {
        case "RandomZoom":
            if let bad = numbers.first(where: { !($0 > -1 && $0 <= 1) }) { return "each number must be above -1 and at most 1 (a fraction of the image), not \(bad)" }
        case "RandomTranslation":
            if let bad = numbers.first(where: { !($0 >= -1 && $0 <= 1) }) { return "each number must be from -1 to 1 (a fraction of the image), not \(bad)" }
        default:
            let bounds: ClosedRange<Double> = className == "RandomContrast" ? 0...1 : -1...1
            if case .number(let single) = argument, !bounds.contains(single) {
                return "a single number must be from \(bounds.lowerBound) to \(bounds.upperBound), not \(single)"
            }
            if case .numbers(let pair) = argument, pair.count == 2, pair[0] > bounds.upperBound || pair[1] < bounds.lowerBound {
                return "a range must reach into [\(bounds.lowerBound), \(bounds.upperBound)], not [\(pair[0]), \(pair[1])]"
            }
        }
        return nil
    }

    /// A value the generated code writes as a float32 literal (`fill_value`,
    /// `value_range` and its width): past float32's range it would be `inf`.
    static func float32Problem(_ numbers: [Double]) -> Double? {
        let width = numbers.count == 2 ? [abs(numbers[1] - numbers[0])] : []
        return (numbers + width).first { abs($0) > Double(Float.greatestFiniteMagnitude) }
    }

    private static func decode(_ className: String, _ arguments: [(String, Kind, required: Bool)], _ reader: inout ArgumentReader) -> LayerOperation? {
        if let rank = reader.inputRank, rank != 3 {
            reader.error("\(className) transforms images (height, width, channels), but its input has \(rank) axes", at: reader.layerLocation)
        }
        var kept: [String: RandomImageArgument] = [:]
        for (key, kind, required) in arguments {
            guard let value = reader.value(key) else {
                if required { reader.error("\(className) needs '\(key)'", at: reader.layerLocation) }
                continue
            }
            guard let argument = read(value, as: kind) else {
                reader.error("'\(key)' must be \(description(of: kind)), not \(value.sourceText)", at: value.location)
                continue
            }
            if kind == .factor || kind == .optionalFactor, let problem = factorProblem(className, argument) {
                reader.error("'\(key)': \(problem)", at: value.location)
                continue
            }
            if kind == .number || kind == .valueRange, let huge = float32Problem(argument.numbers) {
                reader.error("'\(key)' must fit in float32 (at most 3.4e38 in size, a range's width too), not \(huge)", at: value.location)
                continue
            }
            // RandomBrightness sorts its range; RandomContrast clips to it as given, a reversed one to a constant image.
            if kind == .valueRange, className == "RandomContrast", case .numbers(let pair) = argument, pair.count == 2, pair[0] > pair[1] {
                reader.error("'\(key)' must be [low, high] with low below high, not [\(pair[0]), \(pair[1])]", at: value.location)
                continue
            }
            kept[key] = argument
        }
        // tf.keras writes which generator draws the numbers: nothing an inference computes.
        reader.ignore("seed", "rng_type", "force_generator")
        reader.channelsLast()
        return .identityAtInference(.randomImage(RandomImageLayer(className: className, arguments: kept)))
    }

    private static func read(_ value: SpecValue, as kind: Kind) -> RandomImageArgument? {
        func number(_ value: SpecValue) -> Double? {
            switch value.kind {
            case .int(let number): Double(number)
            case .double(let number) where number.isFinite: number
            default: nil
            }
        }
        switch kind {
        case .choice(let words):
            guard let word = value.string, words.contains(word) else { return nil }
            return .word(word)
        case .number:
            return number(value).map(RandomImageArgument.number)
        case .factor, .optionalFactor, .valueRange:
            if value.isNull { return kind == .optionalFactor ? .null : nil }
            if kind != .valueRange, let single = number(value) { return .number(single) }
            guard let items = value.list, items.count == 2 else { return nil }
            let pair = items.compactMap(number)
            guard pair.count == 2 else { return nil }
            return .numbers(pair)
        }
    }

    private static func description(of kind: Kind) -> String {
        switch kind {
        case .choice(let words): "one of " + words.map { "'\($0)'" }.joined(separator: ", ")
        case .number: "a number"
        case .factor: "a number f (for the range −f to f) or a range [low, high]"
        case .optionalFactor: "a number, a range [low, high], or null (the same as the height's)"
        case .valueRange: "the range of pixel values, [low, high]"
        }
    }
}
