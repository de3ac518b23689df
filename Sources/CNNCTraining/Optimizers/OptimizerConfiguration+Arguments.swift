import CNNCRuntime

extension OptimizerConfiguration {
    public static let usage = "[--optimizer sgd|adam|rmsprop] [--learning-rate LR] [--momentum M] [--nesterov] "
        + "[--beta-1 B] [--beta-2 B] [--epsilon E] [--amsgrad] [--rho R] [--centered]"

    /// Reads the optimizer's flags (`usage`) wherever they stand in
    /// `arguments` and returns the other arguments, in order, for the caller.
    /// Without `--optimizer` it is rmsprop, the default of Keras's `compile`;
    /// absent hyperparameters take Keras's defaults. A flag the chosen
    /// optimizer does not take, a bad number or an out-of-range value throws.
    public static func parse(_ arguments: [String]) throws(RuntimeError) -> (configuration: OptimizerConfiguration, rest: [String]) {
        var name = Kind.rmsprop.rawValue
        var given: [(OptimizerHyperparameter, String?)] = []
        var rest: [String] = []
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            if argument == "--optimizer" {
                guard let value = remaining.popFirst() else { throw RuntimeError("--optimizer needs a name: sgd, adam or rmsprop") }
                name = value
            } else if let hyperparameter = OptimizerHyperparameter.allCases.first(where: { $0.flag == argument }) {
                guard case .number = hyperparameter.storage else {
                    given.append((hyperparameter, nil))
                    continue
                }
                guard let value = remaining.popFirst() else { throw RuntimeError("\(argument) needs a number; \(usage)") }
                given.append((hyperparameter, value))
            } else {
                rest.append(argument)
            }
        }
        var configuration = try OptimizerConfiguration(name: name)
        for (hyperparameter, value) in given { try configuration.set(hyperparameter, from: value) }
        try configuration.validate()
        return (configuration, rest)
    }

    private mutating func set(_ hyperparameter: OptimizerHyperparameter, from text: String?) throws(RuntimeError) {
        guard hyperparameters.contains(hyperparameter) else {
            let takers = Kind.allCases.filter { Self($0).hyperparameters.contains(hyperparameter) }.map(\.rawValue)
            throw RuntimeError("\(hyperparameter.flag) is an option of \(takers.joined(separator: " and ")), not \(kind.rawValue); "
                + "\(kind.rawValue) takes \(hyperparameters.map(\.flag).joined(separator: ", "))")
        }
        switch hyperparameter.storage {
        case .flag(let keyPath): self[keyPath: keyPath] = true
        case .number(let keyPath):
            guard let text, let value = Double(text) else {
                throw RuntimeError("\(hyperparameter.flag) needs a number, not '\(text ?? "")'")
            }
            self[keyPath: keyPath] = value
        }
    }
}
