import CNNCRuntime

/// A compiled Keras optimizer, as a trained model's `.keras` file keeps it,
/// turned into cnnc's: the configuration from `compile_config` and the state
/// (`optimizer/vars`) laid out over the model's parameter buffer, so that
/// `cnnc train m.keras` goes on as Keras's `fit` after `load_model` does.
///
/// Keras saves `optimizer.variables` in the order it made them: the step
/// count, the learning rate, then each `add_optimizer_variables` call's
/// slots, interleaved per trainable variable within a call (Adam's momentum
/// and velocity, variable by variable, then AMSGrad's velocity_hat for every
/// variable; RMSprop's velocity, momentum and average gradient each in a call
/// of its own), the variables in `model.trainable_variables` order.
public enum KerasOptimizerContinuation {
    /// What a `.keras` file says of its optimizer.
    public struct Saved: Sendable {
        /// `Adam`, `SGD`, `RMSprop`, …
        public var className: String
        /// Its `config`: numbers, booleans, and nil for JSON's null; other values as text.
        public var config: [String: ConfigValue]
        /// `optimizer/vars/0, 1, …` with their shapes.
        public var variables: [(shape: [Int], values: [Float])]

        public init(className: String, config: [String: ConfigValue], variables: [(shape: [Int], values: [Float])]) {
            self.className = className
            self.config = config
            self.variables = variables
        }
    }

    public enum ConfigValue: Sendable, Equatable {
        case number(Double)
        case bool(Bool)
        case null
        /// Anything else (a learning-rate schedule, a string), described.
        case other(String)
    }

    /// One tensor the optimizer updates: its name, shape and place in the parameter buffer.
    public typealias Trainable = (name: String, shape: [Int], offset: Int)

    /// The configuration and the state (`Optimizer.restore`'s form) that go on
    /// from `saved`, for a model of `parameterCount` parameters whose trainable
    /// tensors are `trainable` in Keras's order. Throws a sentence saying why
    /// not, when cnnc cannot go on from it exactly.
    public static func continuing(_ saved: Saved, trainable: [Trainable], parameterCount: Int)
        throws(RuntimeError) -> (configuration: OptimizerConfiguration, state: [String: [Float]]) {
        var configuration = try configurationOf(saved)
        let groups = variableGroups(configuration)
        let expected = 2 + groups.joined().count * trainable.count
        guard saved.variables.count == expected else {
            throw RuntimeError("its \(saved.className) keeps \(saved.variables.count) variables where one for this model keeps \(expected) (the step, the learning rate and \(groups.joined().joined(separator: ", ")) for each of \(trainable.count) trainable tensors)")
        }
        guard let step = saved.variables[0].values.first, saved.variables[0].values.count == 1,
              let whole = Int(exactly: step), whole >= 0 else {
            throw RuntimeError("its step count (optimizer/vars/0) is not one whole number")
        }
        // Keras restores the learning rate's variable, which may have moved from the config's value.
        guard let rate = saved.variables[1].values.first, saved.variables[1].values.count == 1, rate.isFinite, rate >= 0 else {
            throw RuntimeError("its learning rate (optimizer/vars/1) is not one number of at least 0")
        }
        configuration.learningRate = Double(rate)
        try configuration.validate()

        var state: [String: [Float]] = ["iterations": [Float(whole)]]
        var next = 2
        for group in groups {
            for name in group { state[name] = [Float](repeating: 0, count: parameterCount) }
            for tensor in trainable {
                for name in group {
                    let variable = saved.variables[next]
                    guard variable.shape == tensor.shape, variable.values.count == tensor.shape.reduce(1, *),
                          tensor.offset + variable.values.count <= parameterCount else {
                        throw RuntimeError("its variable optimizer/vars/\(next) has shape \(TensorLayout.shapeText(variable.shape)) where \(tensor.name)'s \(name) has \(TensorLayout.shapeText(tensor.shape)); the file's optimizer belongs to another model")
                    }
                    state[name]?.replaceSubrange(tensor.offset..<(tensor.offset + variable.values.count), with: variable.values)
                    next += 1
                }
            }
        }
        return (configuration, state)
    }

    /// cnnc's configuration for Keras's, or a sentence naming what cnnc does not do.
    static func configurationOf(_ saved: Saved) throws(RuntimeError) -> OptimizerConfiguration {
        guard var configuration = try? OptimizerConfiguration(name: saved.className) else {
            throw RuntimeError("its optimizer is \(saved.className); cnnc trains with SGD, Adam and RMSprop")
        }
        // Options that change the update, which cnnc's optimizers do not have.
        let inactive: [String: ConfigValue] = ["weight_decay": .null, "clipnorm": .null, "clipvalue": .null, "global_clipnorm": .null,
                                                "use_ema": .bool(false), "loss_scale_factor": .null, "gradient_accumulation_steps": .null]
        for (key, off) in inactive.sorted(by: { $0.key < $1.key }) {
            if let value = saved.config[key], value != off, !(key == "weight_decay" && value == .number(0)) {
                throw RuntimeError("its \(saved.className) sets \(key), which cnnc's optimizers do not take")
            }
        }
        for hyperparameter in configuration.hyperparameters {
            guard let value = saved.config[hyperparameter.rawValue] else { continue }
            switch (hyperparameter.storage, value) {
            case (.number(let keyPath), .number(let number)): configuration[keyPath: keyPath] = number
            case (.flag(let keyPath), .bool(let flag)): configuration[keyPath: keyPath] = flag
            case (_, .other(let text)) where hyperparameter == .learningRate:
                throw RuntimeError("its learning rate is a schedule (\(text)); cnnc's is a number")
            default:
                throw RuntimeError("its \(hyperparameter.rawValue) is not what cnnc can read (\(value))")
            }
        }
        return configuration
    }

    /// The slot names of each of Keras's `add_optimizer_variables` calls, in order.
    /// Whether `changed` keeps the variables `saved` has, so that its state
    /// goes on under new hyperparameters (a learning rate, Adam's betas) as
    /// Keras's does when they are set on a built optimizer; AMSGrad, centering
    /// or momentum turned on would need variables the file lacks.
    public static func keepsVariables(of saved: OptimizerConfiguration, _ changed: OptimizerConfiguration) -> Bool {
        saved.kind == changed.kind && variableGroups(saved) == variableGroups(changed)
    }

    static func variableGroups(_ configuration: OptimizerConfiguration) -> [[String]] {
        switch configuration.kind {
        case .sgd: configuration.momentum != 0 ? [["momentum"]] : []
        case .adam: [["momentum", "velocity"]] + (configuration.amsgrad ? [["velocity_hat"]] : [])
        case .rmsprop: [["velocity"]] + (configuration.momentum > 0 ? [["momentum"]] : []) + (configuration.centered ? [["average_gradient"]] : [])
        }
    }
}
