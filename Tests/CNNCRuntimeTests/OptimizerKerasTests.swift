import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// SGD, Adam and RMSprop against Keras 3's own trajectories (fixtures by
/// Tools/keras-fixtures/make_optimizer_fixtures.py): five steps from the same
/// parameters and gradients, within 1e-6 absolute + 1e-6 relative.
@Suite struct OptimizerKerasTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        struct Hyperparameters: Decodable, Sendable {
            var learning_rate: Double
            var momentum, beta_1, beta_2, epsilon, rho: Double?
            var nesterov, amsgrad, centered: Bool?
        }

        var name: String
        var optimizer: String
        var full_config: Hyperparameters
        var description: String
        var initial: [Float]
        var gradients: [[Float]]
        var steps: [[Float]]
        var slots: [String: [Float]]
        var iterations: Int
        var testDescription: String { name }

        /// The configuration from Keras's full config, field by field.
        func configuration() throws -> OptimizerConfiguration {
            var configuration = try OptimizerConfiguration(name: optimizer)
            let keras = full_config
            configuration.learningRate = keras.learning_rate
            configuration.momentum = keras.momentum ?? configuration.momentum
            configuration.nesterov = keras.nesterov ?? configuration.nesterov
            configuration.beta1 = keras.beta_1 ?? configuration.beta1
            configuration.beta2 = keras.beta_2 ?? configuration.beta2
            configuration.epsilon = keras.epsilon ?? configuration.epsilon
            configuration.amsgrad = keras.amsgrad ?? configuration.amsgrad
            configuration.rho = keras.rho ?? configuration.rho
            configuration.centered = keras.centered ?? configuration.centered
            return configuration
        }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keras/optimizers").path

    static let cases: [Case] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)") else { return nil }
            return try? JSONDecoder().decode(Case.self, from: data)
        }
    }()

    /// The largest amount by which `actual` misses `expected` beyond 1e-6 + 1e-6·|expected| (≤ 0 passes).
    static func excess(_ actual: [Float], _ expected: [Float]) -> Float {
        guard actual.count == expected.count else { return .infinity }
        return zip(actual, expected).map { abs($0 - $1) - (1e-6 + 1e-6 * abs($1)) }.max() ?? 0
    }

    @Test func everyConfigurationHasAFixture() {
        #expect(Set(Self.cases.map(\.name)) == [
            "sgd", "sgd_momentum", "sgd_nesterov", "adam", "adam_lr0.01_betas", "adam_amsgrad",
            "rmsprop", "rmsprop_momentum", "rmsprop_centered", "rmsprop_centered_momentum", "adam_learning_rate_0",
        ])
        #expect(Self.cases.allSatisfy { $0.initial.count == 37 && $0.gradients.count == 5 && $0.steps.count == 5 })
    }

    @Test(arguments: cases) func trajectoryMatchesKeras(_ fixture: Case) throws {
        let configuration = try fixture.configuration()
        #expect(configuration.description == fixture.description)
        var optimizer = try configuration.makeOptimizer(parameterCount: fixture.initial.count)
        var parameters = fixture.initial
        for (step, (gradients, expected)) in zip(fixture.gradients, fixture.steps).enumerated() {
            optimizer.step(parameters: &parameters, gradients: gradients)
            let excess = Self.excess(parameters, expected)
            #expect(excess <= 0, "step \(step + 1) misses Keras by \(excess) beyond the tolerance")
        }
        #expect(optimizer.iterations == fixture.iterations)
        // The state holds Keras's optimizer variables, under Keras's names.
        let state = optimizer.state
        #expect(Set(state.keys) == Set(fixture.slots.keys).union(["iterations"]))
        #expect(state["iterations"] == [Float(fixture.iterations)])
        for (name, values) in fixture.slots {
            let excess = Self.excess(state[name] ?? [], values)
            #expect(excess <= 0, "slot '\(name)' misses Keras by \(excess) beyond the tolerance")
        }
    }

    /// 9 copies of the fixture side by side (333 values): in an optimized
    /// build the loops run in SIMD lanes with a scalar tail, and every copy
    /// must still follow Keras.
    @Test(arguments: cases) func everyLaneOfALongBufferMatchesKeras(_ fixture: Case) throws {
        let copies = 9
        var optimizer = try fixture.configuration().makeOptimizer(parameterCount: fixture.initial.count * copies)
        var parameters = Array([[Float]](repeating: fixture.initial, count: copies).joined())
        for gradients in fixture.gradients {
            optimizer.step(parameters: &parameters, gradients: Array([[Float]](repeating: gradients, count: copies).joined()))
        }
        let expected = fixture.steps[fixture.steps.count - 1]
        for copy in 0..<copies {
            let start = copy * expected.count
            #expect(Self.excess(Array(parameters[start..<(start + expected.count)]), expected) <= 0, "copy \(copy)")
        }
    }

    @Test(arguments: cases) func restoredStateContinuesTheTrajectoryExactly(_ fixture: Case) throws {
        let configuration = try fixture.configuration()
        var uninterrupted = try configuration.makeOptimizer(parameterCount: fixture.initial.count)
        var parameters = fixture.initial
        for gradients in fixture.gradients { uninterrupted.step(parameters: &parameters, gradients: gradients) }

        var first = try configuration.makeOptimizer(parameterCount: fixture.initial.count)
        var resumedParameters = fixture.initial
        for gradients in fixture.gradients.prefix(2) { first.step(parameters: &resumedParameters, gradients: gradients) }
        var resumed = try configuration.makeOptimizer(parameterCount: fixture.initial.count)
        try resumed.restore(first.state)
        #expect(resumed.iterations == 2)
        for gradients in fixture.gradients.dropFirst(2) { resumed.step(parameters: &resumedParameters, gradients: gradients) }
        #expect(resumedParameters == parameters)
        #expect(resumed.state == uninterrupted.state)
    }

    @Test func restoreNamesEveryProblemAndChangesNothing() throws {
        var adam = try OptimizerConfiguration(.adam).makeOptimizer(parameterCount: 3)
        var parameters: [Float] = [1, 2, 3]
        adam.step(parameters: &parameters, gradients: [0.5, -0.5, 2])
        let before = adam.state
        let sgdState = try OptimizerConfiguration(name: "sgd").makeOptimizer(parameterCount: 3).state
        #expect(throws: RuntimeError("""
            the optimizer state does not fit adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False) \
            (which keeps iterations, momentum, velocity):
              missing 'momentum'
              missing 'velocity'
            """)) { try adam.restore(sgdState) }
        #expect(throws: RuntimeError("""
            the optimizer state does not fit adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False) \
            (which keeps iterations, momentum, velocity):
              'iterations' must be one whole number of at least 0
              'velocity' has 2 values; the model has 3 parameters
              unexpected 'average_gradient', 'velocity_hat'
            """)) {
            try adam.restore(["iterations": [1.5], "momentum": [0, 0, 0], "velocity": [0, 0],
                              "velocity_hat": [0, 0, 0], "average_gradient": []])
        }
        #expect(adam.state == before)
    }

    @Test func badConfigurationsSayWhatWouldBeRight() {
        let cases: [(TestOptimizer, String)] = [
            (TestOptimizer("adamw"), "unknown optimizer 'adamw'; choose sgd, adam or rmsprop"),
            (TestOptimizer("sgd", [(.learningRate, -0.1)]),
             "learning_rate must be a number of at least 0, such as Keras's default 0.01; got -0.1"),
            (TestOptimizer("adam", [(.learningRate, .infinity)]),
             "learning_rate must be a number of at least 0, such as Keras's default 0.001; got inf"),
            (TestOptimizer("sgd", [(.momentum, 1)]), "momentum must be at least 0 and less than 1, such as 0.9; got 1.0"),
            (TestOptimizer("rmsprop", [(.momentum, -0.5)]), "momentum must be at least 0 and less than 1, such as 0.9; got -0.5"),
            (TestOptimizer("adam", [(.beta2, 1.5)]),
             "beta_2 must be at least 0 and less than 1, such as Keras's default 0.999; got 1.5"),
            (TestOptimizer("rmsprop", [(.rho, .nan)]), "rho must be at least 0 and less than 1, such as Keras's default 0.9; got nan"),
            (TestOptimizer("adam", [(.epsilon, .infinity)]), "epsilon must be a positive number, such as Keras's default 1e-07; got inf"),
            (TestOptimizer("adam", flags: [.nesterov]),
             "--nesterov is an option of sgd, not adam; adam takes --learning-rate, --beta-1, --beta-2, --epsilon, --amsgrad"),
            (TestOptimizer("sgd", [(.epsilon, 1e-8)]),
             "--epsilon is an option of adam and rmsprop, not sgd; sgd takes --learning-rate, --momentum, --nesterov"),
        ]
        for (given, message) in cases {
            #expect(throws: RuntimeError(message), "\(given)") { try given.configuration() }
        }
        var configuration = OptimizerConfiguration(.sgd)
        configuration.learningRate = -1
        #expect(throws: RuntimeError("learning_rate must be a number of at least 0, such as Keras's default 0.01; got -1.0")) {
            try configuration.makeOptimizer(parameterCount: 10)
        }
    }

    @Test func givenHyperparametersOverrideKerasDefaults() throws {
        let defaults = try TestOptimizer("rmsprop").configuration()
        #expect(defaults == OptimizerConfiguration(.rmsprop))
        #expect(defaults.description == "rmsprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False)")
        #expect(OptimizerConfiguration(.sgd).description == "sgd(learning_rate=0.01, momentum=0.0, nesterov=False)")

        let sgd = try TestOptimizer("SGD", [(.momentum, 0.9), (.learningRate, 1e-3)], flags: [.nesterov]).configuration()
        #expect(sgd.description == "sgd(learning_rate=0.001, momentum=0.9, nesterov=True)")

        let adam = try TestOptimizer("adam", [(.beta1, 0.8), (.epsilon, 1e-8)], flags: [.amsgrad]).configuration()
        #expect(adam.kind == .adam && adam.beta1 == 0.8 && adam.beta2 == 0.999 && adam.amsgrad)
        #expect(adam.description == "adam(learning_rate=0.001, beta_1=0.8, beta_2=0.999, epsilon=1e-08, amsgrad=True)")

        let rmsprop = try TestOptimizer("rmsprop", [(.rho, 0.95), (.momentum, 0.5)], flags: [.centered]).configuration()
        #expect(rmsprop.description == "rmsprop(learning_rate=0.001, rho=0.95, momentum=0.5, epsilon=1e-07, centered=True)")
        #expect(try rmsprop.makeOptimizer(parameterCount: 4).state.keys.sorted() == ["average_gradient", "iterations", "momentum", "velocity"])
        // What cnnc sends the model executable comes back the same.
        let decoded = try JSONDecoder().decode(OptimizerConfiguration.self, from: JSONEncoder().encode(adam))
        #expect(decoded == adam)
    }

    @Test func sgdWithoutMomentumKeepsNoSlots() throws {
        var sgd = try OptimizerConfiguration(.sgd).makeOptimizer(parameterCount: 2)
        var parameters: [Float] = [1, -1]
        sgd.step(parameters: &parameters, gradients: [10, -20])
        #expect(parameters == [1 - 10 * Float(0.01), -1 + 20 * Float(0.01)])
        #expect(sgd.state == ["iterations": [1]])
    }
}

/// An optimizer as `cnnc train`'s options give it: Keras's name and the hyperparameters set.
private struct TestOptimizer: CustomStringConvertible {
    var name: String
    var numbers: [(OptimizerHyperparameter, Double)]
    var flags: [OptimizerHyperparameter]

    init(_ name: String, _ numbers: [(OptimizerHyperparameter, Double)] = [], flags: [OptimizerHyperparameter] = []) {
        self.name = name
        self.numbers = numbers
        self.flags = flags
    }

    func configuration() throws(RuntimeError) -> OptimizerConfiguration {
        try OptimizerConfiguration(name: name, numbers: numbers, flags: flags)
    }

    var description: String { "\(name) \(numbers) \(flags)" }
}
