import CNNCRuntime

extension OptimizerConfiguration {
    /// The optimizer called `name` with the hyperparameters a user gave, in
    /// that order: `numbers` set values, `flags` turn options on; the rest
    /// keep Keras's defaults. A hyperparameter that optimizer does not take, or
    /// a value out of range, throws a sentence naming its flag.
    public init(name: String, numbers: [(OptimizerHyperparameter, Double)] = [], flags: [OptimizerHyperparameter] = []) throws(RuntimeError) {
        self = try Self(name: name).applying(numbers: numbers, flags: flags)
    }

    /// This optimizer with the hyperparameters a user gave laid over it (a
    /// `.keras` model's own Adam with `--learning-rate 1e-4`); throws as above.
    public func applying(numbers: [(OptimizerHyperparameter, Double)], flags: [OptimizerHyperparameter]) throws(RuntimeError) -> Self {
        var given = self
        for (hyperparameter, value) in numbers {
            try checkTakes(hyperparameter)
            guard case .number(let keyPath) = hyperparameter.storage else { throw RuntimeError("\(hyperparameter.flag) takes no number") }
            given[keyPath: keyPath] = value
        }
        for hyperparameter in flags {
            try checkTakes(hyperparameter)
            guard case .flag(let keyPath) = hyperparameter.storage else { throw RuntimeError("\(hyperparameter.flag) needs a number") }
            given[keyPath: keyPath] = true
        }
        try given.validate()
        return given
    }

    private func checkTakes(_ hyperparameter: OptimizerHyperparameter) throws(RuntimeError) {
        guard !hyperparameters.contains(hyperparameter) else { return }
        let takers = Kind.allCases.filter { Self($0).hyperparameters.contains(hyperparameter) }.map(\.rawValue)
        throw RuntimeError("\(hyperparameter.flag) is an option of \(takers.joined(separator: " and ")), not \(kind.rawValue); "
            + "\(kind.rawValue) takes \(hyperparameters.map(\.flag).joined(separator: ", "))")
    }
}
