@testable import CNNCTraining
import Testing

/// The groups Keras makes its optimizer variables in hold every slot cnnc's
/// update rules keep, and no other, for every option that adds a slot.
@Suite struct KerasOptimizerContinuationTests {
    @Test func kerasVariableGroupsHoldEverySlotOfTheRule() throws {
        var sgd = OptimizerConfiguration(.sgd)
        var adam = OptimizerConfiguration(.adam)
        var rmsprop = OptimizerConfiguration(.rmsprop)
        var cases: [(OptimizerConfiguration, [String])] = [(sgd, SGD.slotNames(sgd)), (adam, Adam.slotNames(adam)), (rmsprop, RMSprop.slotNames(rmsprop))]
        sgd.momentum = 0.9
        adam.amsgrad = true
        rmsprop.momentum = 0.5
        rmsprop.centered = true
        cases += [(sgd, SGD.slotNames(sgd)), (adam, Adam.slotNames(adam)), (rmsprop, RMSprop.slotNames(rmsprop))]
        for (configuration, slots) in cases {
            let groups = KerasOptimizerContinuation.variableGroups(configuration)
            #expect(groups.joined().sorted() == slots.sorted(), "\(configuration)")
        }
    }

    /// What cnnc's optimizers do not do is named, not ignored.
    @Test func optionsCnncLacksAreRefusedByName() throws {
        let saved = KerasOptimizerContinuation.Saved(className: "Adam", config: ["clipnorm": .number(1)], variables: [])
        #expect(throws: (any Error).self) { try KerasOptimizerContinuation.configurationOf(saved) }
        let schedule = KerasOptimizerContinuation.Saved(className: "SGD", config: ["learning_rate": .other("a JSON object or list")], variables: [])
        #expect(throws: (any Error).self) { try KerasOptimizerContinuation.configurationOf(schedule) }
        let lion = KerasOptimizerContinuation.Saved(className: "Lion", config: [:], variables: [])
        #expect(throws: (any Error).self) { try KerasOptimizerContinuation.configurationOf(lion) }
        let plain = KerasOptimizerContinuation.Saved(className: "Adam", config: ["weight_decay": .null, "beta_1": .number(0.8)], variables: [])
        #expect(try KerasOptimizerContinuation.configurationOf(plain).beta1 == 0.8)
    }
}
