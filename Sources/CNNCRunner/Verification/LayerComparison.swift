import CNNCRuntime
import CNNCTraining

/// One layer's outputs against the reference's, element by element, with the
/// combined tolerance `|a − b| ≤ atol + rtol·|b|`: an absolute-only check
/// misfires on large activations, a relative-only one on values near zero.
public struct LayerComparison: Sendable {
    public struct Tolerance: Sendable {
        public var absolute: Float
        public var relative: Float
        public init(absolute: Float = 1e-5, relative: Float = 1e-4) {
            self.absolute = absolute
            self.relative = relative
        }
    }

    public enum Outcome: Sendable, Equatable {
        case agrees
        /// The shapes differ: (this model's, the reference's), batch axis included.
        case shapeMismatch(ours: [Int], reference: [Int])
        /// `count` elements lie outside the tolerance.
        case valuesDiffer(count: Int)
        /// This model produced NaN or ±infinity where the reference has a number.
        case notFinite(count: Int)
    }

    public var layer: LayerDescription
    public var shape: [Int]
    public var outcome: Outcome
    public var maximumAbsoluteError: Float = 0
    /// Largest |a − b| / |b| over elements whose reference is not zero.
    public var maximumRelativeError: Float = 0
    /// The element that misses the tolerance by most (or, when all agree, the
    /// one with the largest absolute error), as an index into `shape`.
    public var worstIndex: [Int] = []
    public var worstValue: Float = 0
    public var worstReference: Float = 0
    public var elementCount: Int { shape.reduce(1, *) }

    public init(layer: LayerDescription, ours: [Float], shape: [Int], reference: SafeTensors.Tensor, tolerance: Tolerance) {
        self.layer = layer
        self.shape = shape
        guard reference.shape == shape else {
            outcome = .shapeMismatch(ours: shape, reference: reference.shape)
            return
        }
        var outside = 0, notFinite = 0
        var worstFlat = 0, worstExcess = -Float.infinity, worstNotFinite: Int?
        for (index, (value, expected)) in zip(ours, reference.values).enumerated() {
            if value.isNaN && expected.isNaN || value == expected { continue }
            guard value.isFinite || !expected.isFinite else {
                notFinite += 1
                if worstNotFinite == nil { worstNotFinite = index }
                continue
            }
            let error = abs(value - expected)
            maximumAbsoluteError = max(maximumAbsoluteError, error)
            if expected != 0 { maximumRelativeError = max(maximumRelativeError, error / abs(expected)) }
            let excess = error - (tolerance.absolute + tolerance.relative * abs(expected))
            if excess > 0 { outside += 1 }
            if excess > worstExcess {
                worstExcess = excess
                worstFlat = index
            }
        }
        if let first = worstNotFinite { worstFlat = first }
        if worstExcess > -.infinity || worstNotFinite != nil {
            worstIndex = Self.index(of: worstFlat, in: shape)
            worstValue = ours[worstFlat]
            worstReference = reference.values[worstFlat]
        }
        outcome = notFinite > 0 ? .notFinite(count: notFinite) : outside > 0 ? .valuesDiffer(count: outside) : .agrees
    }

    public var agrees: Bool { outcome == .agrees }

    /// The row-major multi-index of a flat position.
    static func index(of flat: Int, in shape: [Int]) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }
}
