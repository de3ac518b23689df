import CNNCRuntime
import CNNCTraining
import CNNCZoo

/// An optimizer made the way `cnnc train` makes one: Keras's name and the hyperparameters given.
func optimizer(_ optimizer: TestOptimizer, parameterCount: Int) throws -> any Optimizer {
    try OptimizerConfiguration(name: optimizer.name, numbers: optimizer.numbers, flags: optimizer.flags)
        .makeOptimizer(parameterCount: parameterCount)
}

/// An optimizer as a test names it: `--optimizer NAME` with some hyperparameters.
struct TestOptimizer: Sendable {
    var name: String
    var numbers: [(OptimizerHyperparameter, Double)]
    var flags: [OptimizerHyperparameter] = []
}

/// Plain SGD for a model (LeNet-5 unless said).
func sgd<Model: CompiledModel>(_ learningRate: Double, for model: Model.Type = Lenet5.self) throws -> any Optimizer {
    try optimizer(TestOptimizer(name: "sgd", numbers: [(.learningRate, learningRate)]), parameterCount: Model.parameterCount)
}
