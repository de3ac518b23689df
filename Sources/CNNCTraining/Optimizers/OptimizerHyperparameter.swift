import CNNCRuntime

/// One hyperparameter of an `OptimizerConfiguration`, by its Keras keyword.
public enum OptimizerHyperparameter: String, Sendable, CaseIterable {
    case learningRate = "learning_rate"
    case momentum
    case nesterov
    case beta1 = "beta_1"
    case beta2 = "beta_2"
    case epsilon
    case amsgrad
    case rho
    case centered

    enum Storage {
        case number(WritableKeyPath<OptimizerConfiguration, Double>)
        case flag(WritableKeyPath<OptimizerConfiguration, Bool>)
    }

    var storage: Storage {
        switch self {
        case .learningRate: .number(\.learningRate)
        case .momentum: .number(\.momentum)
        case .nesterov: .flag(\.nesterov)
        case .beta1: .number(\.beta1)
        case .beta2: .number(\.beta2)
        case .epsilon: .number(\.epsilon)
        case .amsgrad: .flag(\.amsgrad)
        case .rho: .number(\.rho)
        case .centered: .flag(\.centered)
        }
    }

    /// The values a number may take: the decay rates lie in [0, 1); epsilon,
    /// a divisor's guard, is above 0; the learning rate may be 0, as Keras
    /// takes it (the weights stay, while the optimizer's slots and
    /// BatchNormalization's moving statistics still move: a pass that only
    /// recalibrates the statistics).
    enum Domain { case fraction, positive, nonNegative }

    var domain: Domain {
        switch self {
        case .learningRate: .nonNegative
        case .epsilon: .positive
        default: .fraction
        }
    }

    /// The command-line flag: `--learning-rate`, `--beta-1`, `--nesterov`, …
    public var flag: String { "--" + rawValue.split(separator: "_").joined(separator: "-") }
}
