import CNNCRuntime
import CNNCTraining
import CNNCZoo

/// Optimizers as the tests name them, made the way `cnnc train` makes them: from flags.
func optimizer(_ flags: [String], parameterCount: Int) throws -> any Optimizer {
    let (configuration, rest) = try OptimizerConfiguration.parse(flags)
    precondition(rest.isEmpty, "not optimizer flags: \(rest)")
    return try configuration.makeOptimizer(parameterCount: parameterCount)
}

/// Plain SGD for a model (LeNet-5 unless said).
func sgd<Model: CompiledModel>(_ learningRate: Double, for model: Model.Type = Lenet5.self) throws -> any Optimizer {
    try optimizer(["--optimizer", "sgd", "--learning-rate", String(learningRate)], parameterCount: Model.parameterCount)
}
