import CNNCRuntime

/// Which optimizer trains a model and with what hyperparameters, in Keras's
/// names and with Keras's defaults: what `keras.optimizers.Adam(...)` and its
/// siblings take. Fields a kind does not use are ignored.
public struct OptimizerConfiguration: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Keras's optimizer names.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case sgd, adam, rmsprop
    }

    public var kind: Kind
    /// Every kind. Keras's default: 0.01 for SGD, 0.001 for Adam and RMSprop.
    public var learningRate: Double
    /// SGD and RMSprop; in [0, 1).
    public var momentum = 0.0
    /// SGD.
    public var nesterov = false
    /// Adam: `beta_1`, `beta_2`; in [0, 1).
    public var beta1 = 0.9
    public var beta2 = 0.999
    /// Adam and RMSprop.
    public var epsilon = 1e-7
    /// Adam.
    public var amsgrad = false
    /// RMSprop; in [0, 1).
    public var rho = 0.9
    /// RMSprop.
    public var centered = false

    /// Keras's defaults for `kind`.
    public init(_ kind: Kind) {
        self.kind = kind
        learningRate = kind == .sgd ? 0.01 : 0.001
    }

    /// Keras's defaults for the optimizer called `name` (`sgd`, `adam`,
    /// `rmsprop`, in any case, as `keras.optimizers.get` takes them).
    public init(name: String) throws(RuntimeError) {
        guard let kind = Kind(rawValue: name.lowercased()) else {
            throw RuntimeError("unknown optimizer '\(name)'; choose sgd, adam or rmsprop")
        }
        self.init(kind)
    }

    /// The hyperparameters `kind` uses, in the order of Keras's arguments.
    var hyperparameters: [OptimizerHyperparameter] {
        switch kind {
        case .sgd: [.learningRate, .momentum, .nesterov]
        case .adam: [.learningRate, .beta1, .beta2, .epsilon, .amsgrad]
        case .rmsprop: [.learningRate, .rho, .momentum, .epsilon, .centered]
        }
    }

    /// The full configuration as a Keras call would spell it:
    /// `adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)`.
    public var description: String {
        let arguments = hyperparameters.map { "\($0.rawValue)=\(text(of: $0))" }
        return "\(kind.rawValue)(\(arguments.joined(separator: ", ")))"
    }

    func text(of hyperparameter: OptimizerHyperparameter) -> String {
        switch hyperparameter.storage {
        case .number(let keyPath): "\(self[keyPath: keyPath])"
        case .flag(let keyPath): self[keyPath: keyPath] ? "True" : "False"
        }
    }

    /// Throws, naming the value and what would be right, when a hyperparameter
    /// `kind` uses is out of range.
    public func validate() throws(RuntimeError) {
        for hyperparameter in hyperparameters {
            guard case .number(let keyPath) = hyperparameter.storage else { continue }
            let value = self[keyPath: keyPath]
            let example = hyperparameter == .momentum ? "0.9" : "Keras's default \(Self(kind).text(of: hyperparameter))"
            switch hyperparameter.domain {
            case .positive:
                guard value.isFinite, value > 0 else {
                    throw RuntimeError("\(hyperparameter.rawValue) must be a positive number, such as \(example); got \(value)")
                }
            case .nonNegative:
                guard value.isFinite, value >= 0 else {
                    throw RuntimeError("\(hyperparameter.rawValue) must be a number of at least 0, such as \(example); got \(value)")
                }
            case .fraction:
                guard value >= 0, value < 1 else {
                    throw RuntimeError("\(hyperparameter.rawValue) must be at least 0 and less than 1, such as \(example); got \(value)")
                }
            }
        }
    }

    /// A fresh optimizer (zero slots, no iterations) for `parameterCount`
    /// parameters, after `validate()`.
    public func makeOptimizer(parameterCount: Int) throws(RuntimeError) -> any Optimizer {
        try validate()
        guard parameterCount >= 0 else { throw RuntimeError("an optimizer needs a parameter count of at least 0, not \(parameterCount)") }
        switch kind {
        case .sgd: return KerasOptimizer<SGD>(self, parameterCount: parameterCount)
        case .adam: return KerasOptimizer<Adam>(self, parameterCount: parameterCount)
        case .rmsprop: return KerasOptimizer<RMSprop>(self, parameterCount: parameterCount)
        }
    }
}
