import ArgumentParser
import CNNCRuntime
import CNNCTraining

/// `--optimizer` and its hyperparameters, as Keras's optimizers take them.
/// They are checked as the command line is read, before any build.
struct OptimizerOptions: ParsableArguments {
    @Option(help: "sgd, adam or rmsprop (Keras compile's default), with Keras's defaults for every hyperparameter not given; a trained .keras model's own optimizer when no optimizer option is given.")
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

    func validate() throws { _ = try configuration() }

    /// Whether any optimizer option was given (else a `.keras` model's own optimizer goes on).
    var isGiven: Bool {
        optimizer != nil || [learningRate, momentum, beta1, beta2, epsilon, rho].contains { $0 != nil } || nesterov || amsgrad || centered
    }

    /// The optimizer these options describe.
    func configuration() throws -> OptimizerConfiguration {
        let numbers: [(OptimizerHyperparameter, Double?)] = [(.learningRate, learningRate), (.momentum, momentum), (.beta1, beta1),
                                                             (.beta2, beta2), (.epsilon, epsilon), (.rho, rho)]
        let flags: [(OptimizerHyperparameter, Bool)] = [(.nesterov, nesterov), (.amsgrad, amsgrad), (.centered, centered)]
        return try RuntimeCheck.asValidation { () throws(RuntimeError) in
            try OptimizerConfiguration(name: optimizer ?? "rmsprop", numbers: numbers.compactMap { name, value in value.map { (name, $0) } },
                                       flags: flags.filter(\.1).map(\.0))
        }
    }
}
