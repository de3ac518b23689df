import CNNCRuntime

/// Which samples train, which validate and which test: index lists into a
/// `LabeledImages` (take each part with `subset`). Three ways to make one:
///
///     try DataSplit(ratios: try SplitRatios(parsing: "70:20:10"), count: n, shuffleSeed: 7)
///     try DataSplit(kerasValidationSplit: 0.2, count: n)       // fit(validation_split=0.2)
///     try KFold(count: n, folds: 5, shuffleSeed: 7).split(fold: 2)
public struct DataSplit: Sendable, Equatable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]

    public init(train: [Int], validation: [Int], test: [Int]) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// A train:validation:test split by ratios, as a course teaches it.
    ///
    /// Counts: validation = floor(count · v / (t + v + s)) and test =
    /// floor(count · s / (t + v + s)), in exact integer arithmetic; training gets
    /// the rest, so rounding never loses a sample and 70:20:10 of 1,000 is exactly
    /// 700/200/100 (of 1,005 it is 704/201/100). With a seed the samples are
    /// shuffled first (the same order for the same seed); without, the parts are
    /// consecutive runs in the data's own order: training, then validation, then test.
    /// A part with a positive ratio that would get no sample is an error.
    public init(ratios: SplitRatios, count: Int, shuffleSeed: UInt64?) throws(RuntimeError) {
        let total = ratios.train + ratios.validation + ratios.test
        let validationCount = count * ratios.validation / total
        let testCount = count * ratios.test / total
        let trainCount = count - validationCount - testCount
        for (name, ratio, size) in [("training", ratios.train, trainCount), ("validation", ratios.validation, validationCount), ("test", ratios.test, testCount)]
        where ratio > 0 && size == 0 {
            throw RuntimeError("\(count) samples are too few to split \(ratios): the \(name) part would be empty")
        }
        var order = Array(0..<count)
        if let seed = shuffleSeed {
            var generator = SplitMix64(seed: seed, stream: 0x5350_4C49_54)  // "SPLIT"
            generator.shuffle(&order)
        }
        self.init(
            train: Array(order[0..<trainCount]),
            validation: Array(order[trainCount..<(trainCount + validationCount)]),
            test: Array(order[(trainCount + validationCount)...]))
    }

    /// Keras's `fit(validation_split=fraction)`: the LAST part of the data, taken
    /// before any shuffling, validates: training is 0..<floor(count · (1 − fraction))
    /// (computed in Double exactly as Keras's `int(math.floor(n * (1.0 - split)))`),
    /// validation the rest. Like Keras, refuses a split that leaves either part empty.
    public init(kerasValidationSplit fraction: Double, count: Int) throws(RuntimeError) {
        guard fraction > 0, fraction < 1 else {
            throw RuntimeError("validation_split must be between 0 and 1 (exclusive), not \(fraction)")
        }
        let splitAt = Int((Double(count) * (1.0 - fraction)).rounded(.down))
        guard splitAt > 0, splitAt < count else {
            throw RuntimeError("\(count) samples are not enough to split off validation_split=\(fraction): the training or the validation part would be empty")
        }
        self.init(train: Array(0..<splitAt), validation: Array(splitAt..<count), test: [])
    }
}

/// Integer ratios `train:validation:test` such as 70:20:10, 80:10:10 or 3:1:1.
public struct SplitRatios: Codable, Sendable, Equatable, CustomStringConvertible {
    public let train: Int
    public let validation: Int
    public let test: Int

    public init(train: Int, validation: Int, test: Int) throws(RuntimeError) {
        guard train > 0, validation >= 0, test >= 0 else {
            throw RuntimeError("split ratios \(train):\(validation):\(test) are not valid: training needs a positive share and the others cannot be negative")
        }
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// "70:20:10" (train:validation:test) or "80:20" (train:validation, no test part).
    public init(parsing text: String) throws(RuntimeError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0 != nil }) else {
            throw RuntimeError("split '\(text)' is not ratios like 70:20:10 (train:validation:test) or 80:20 (train:validation)")
        }
        try self.init(train: parts[0] ?? 0, validation: parts[1] ?? 0, test: parts.count == 3 ? parts[2] ?? 0 : 0)
    }

    public var description: String { "\(train):\(validation):\(test)" }
}
