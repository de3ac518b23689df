/// A Keras image augmentation layer (`RandomFlip`, `RandomRotation`,
/// `RandomZoom`, `RandomTranslation`, `RandomContrast`, `RandomBrightness`):
/// random in training, identity at inference, where Keras's `predict`,
/// `evaluate` and the model called with `training=False` pass images through.
/// Its arguments are kept as written (checked by `RandomImageArguments`), so
/// that `cnnc export` writes the layer back as Keras would.
public struct RandomImageLayer: Hashable, Sendable, Codable {
    /// Keras's class name, `RandomFlip`.
    public var className: String
    /// Its arguments by Keras's names, seed and data format left out.
    public var arguments: [String: RandomImageArgument]
}

/// One argument of an image augmentation layer, as its config writes it.
public enum RandomImageArgument: Hashable, Sendable, Codable {
    case null
    case number(Double)
    /// A range, `factor: [-0.2, 0.3]` or `value_range: [0, 255]`.
    case numbers([Double])
    case word(String)

    /// Its numbers (none for a word or null).
    var numbers: [Double] {
        switch self {
        case .number(let value): [value]
        case .numbers(let values): values
        case .null, .word: []
        }
    }

    /// The value as JSON writes it.
    var jsonValue: Any {
        switch self {
        case .null: Optional<Any>.none as Any
        case .number(let value): value
        case .numbers(let values): values
        case .word(let word): word
        }
    }
}

/// What an augmentation layer does to one image in training, with its ranges
/// as Keras 3.15 reads its arguments (a single factor f is the range −f to f,
/// RandomContrast's 0 to f; a pair is sorted) and draws from them.
public enum RandomImageTransform: Hashable, Sendable {
    /// RandomFlip: one draw an image, u ≤ 0.5 flips it along the axes the mode
    /// names (both at once for `horizontal_and_vertical`).
    case flip(horizontal: Bool, vertical: Bool)
    /// RandomRotation: an angle from `degrees` about the image's center.
    case rotation(degrees: ClosedRange<Double>, sampling: AffineSampling)
    /// RandomZoom: each axis scaled by 1 + a draw (the width by the height's
    /// draw when `width` is nil), about the center.
    case zoom(height: ClosedRange<Double>, width: ClosedRange<Double>?, sampling: AffineSampling)
    /// RandomTranslation: shifted by a draw times the height and the width.
    case translation(height: ClosedRange<Double>, width: ClosedRange<Double>, sampling: AffineSampling)
    /// RandomContrast: y = (x − mean)·c + mean per channel, c from 1 − low to
    /// 1 + high, then clipped to `values`.
    case contrast(factor: ClosedRange<Double>, values: ClosedRange<Double>)
    /// RandomBrightness: y = x + d·(values' width), d from `factor`, clipped to `values`.
    case brightness(factor: ClosedRange<Double>, values: ClosedRange<Double>)
}

/// How an affine augmentation reads its input: Keras's `interpolation`,
/// `fill_mode` and `fill_value`, as `jax.scipy.ndimage.map_coordinates` applies them.
public struct AffineSampling: Hashable, Sendable {
    public var bilinear: Bool
    public var fillMode: String
    public var fillValue: Double

    public init(bilinear: Bool, fillMode: String, fillValue: Double) {
        self.bilinear = bilinear
        self.fillMode = fillMode
        self.fillValue = fillValue
    }
}

extension RandomImageLayer {
    /// Its training transform, from the arguments its decoder checked.
    public var transform: RandomImageTransform {
        func number(_ key: String) -> Double? { if case .number(let value)? = arguments[key] { value } else { nil } }
        func word(_ key: String, default fallback: String) -> String { if case .word(let word)? = arguments[key] { word } else { fallback } }
        func range(_ key: String, fromZero: Bool = false) -> ClosedRange<Double>? {
            switch arguments[key] {
            case .number(let value)?: return (fromZero ? 0 : -abs(value))...abs(value)
            case .numbers(let pair)? where pair.count == 2: return min(pair[0], pair[1])...max(pair[0], pair[1])
            default: return nil
            }
        }
        let values: ClosedRange<Double> = {
            if case .numbers(let pair)? = arguments["value_range"], pair.count == 2 { return min(pair[0], pair[1])...max(pair[0], pair[1]) }
            return 0...255
        }()
        let sampling = AffineSampling(bilinear: word("interpolation", default: "bilinear") == "bilinear",
                                      fillMode: word("fill_mode", default: "reflect"), fillValue: number("fill_value") ?? 0)
        switch className {
        case "RandomFlip":
            let mode = word("mode", default: "horizontal_and_vertical")
            return .flip(horizontal: mode != "vertical", vertical: mode != "horizontal")
        case "RandomRotation":
            let turns = range("factor") ?? 0...0
            return .rotation(degrees: turns.lowerBound * 360...turns.upperBound * 360, sampling: sampling)
        case "RandomZoom":
            return .zoom(height: range("height_factor") ?? 0...0, width: range("width_factor"), sampling: sampling)
        case "RandomTranslation":
            return .translation(height: range("height_factor") ?? 0...0, width: range("width_factor") ?? 0...0, sampling: sampling)
        case "RandomContrast":
            return .contrast(factor: range("factor", fromZero: true) ?? 0...0, values: values)
        default:
            return .brightness(factor: range("factor") ?? 0...0, values: values)
        }
    }
}
