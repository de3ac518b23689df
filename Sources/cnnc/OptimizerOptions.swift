import ArgumentParser
import CNNCRuntime
import CNNCTraining

/// `--optimizer` and its hyperparameters, as Keras's optimizers take them.
/// They are checked as the command line is read, before any build.
struct OptimizerOptions: ParsableArguments {
    @Option(help: "sgd, adam or rmsprop (Keras compile's default), with Keras's defaults for every hyperparameter not given; without it, a trained .keras model goes on with its own optimizer, the other options laid over it.")
    var optimizer: String?

    @Option(help: "The optimizer's learning rate (Keras's default: 0.01 for sgd, 0.001 for adam and rmsprop).")
    var learningRate: Double?

    @Option(help: "Momentum, for sgd and rmsprop.")
    var momentum: Double?

    @Flag(help: "Nesterov momentum, for sgd.")
    var nesterov = false

    @Option(name: .customLong("beta-1"), help: "Adam's beta_1.")
    var beta1: Double?

    @Option(name: .customLong("beta-2"), help: "Adam's beta_2.")
    var beta2: Double?

    @Option(help: "Adam's and RMSprop's epsilon.")
    var epsilon: Double?

    @Flag(help: "Adam's AMSGrad variant.")
    var amsgrad = false

    @Option(help: "RMSprop's rho.")
    var rho: Double?

    @Flag(help: "Centered RMSprop.")
    var centered = false

    /// Without --optimizer, a `.keras` model's own optimizer may take options
    /// rmsprop does not (`--amsgrad` on its Adam): `configuration` checks them
    /// once the kind is known, still before any build.
    func validate() throws {
        if optimizer != nil { _ = try configuration() }
    }

    /// Whether any optimizer option was given.
    var isGiven: Bool { optimizer != nil || !numbers.isEmpty || !flags.isEmpty }

    /// The optimizer these options describe: `--optimizer` (rmsprop when
    /// absent) with the hyperparameters given.
    func configuration() throws -> OptimizerConfiguration {
        try RuntimeCheck.asValidation { () throws(RuntimeError) in
            try OptimizerConfiguration(name: optimizer ?? "rmsprop", numbers: numbers, flags: flags)
        }
    }

    /// `saved` (a `.keras` model's own optimizer) with the hyperparameters given.
    func configuration(over saved: OptimizerConfiguration) throws -> OptimizerConfiguration {
        try RuntimeCheck.asValidation { () throws(RuntimeError) in try saved.applying(numbers: numbers, flags: flags) }
    }

    private var numbers: [(OptimizerHyperparameter, Double)] {
        let given: [(OptimizerHyperparameter, Double?)] = [(.learningRate, learningRate), (.momentum, momentum), (.beta1, beta1),
                                                           (.beta2, beta2), (.epsilon, epsilon), (.rho, rho)]
        return given.compactMap { name, value in value.map { (name, $0) } }
    }

    private var flags: [OptimizerHyperparameter] {
        [(OptimizerHyperparameter.nesterov, nesterov), (.amsgrad, amsgrad), (.centered, centered)].filter(\.1).map(\.0)
    }
}
