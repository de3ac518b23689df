/// Placeholder until Keras's optimizers land.
struct OptimizerChoice: CustomStringConvertible {
    let name: String
    let learningRate: Double
    init(_ configuration: TrainingConfiguration) throws(RuntimeError) {
        guard configuration.optimizer == "sgd" else { throw RuntimeError("only sgd so far") }
        name = "sgd"
        learningRate = configuration.learningRate ?? 0.01
    }
    var description: String { "sgd(learning_rate=\(learningRate))" }
    func make(parameterCount: Int) -> any Optimizer { PlainSGD(learningRate: Float(learningRate)) }
}
