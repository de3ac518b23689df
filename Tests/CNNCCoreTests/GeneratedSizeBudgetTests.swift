@testable import CNNCCore
import Testing

/// The Swift generated for every keras.applications model in the fixtures
/// stays within a budget of lines: compile time and the compiler's memory
/// grow with it, so a change that multiplies the code of a kind of layer (a
/// kernel written out per channel where it was a loop) shows here, not
/// minutes into a user's build. It happened: writing BatchNormalization's
/// training sums out per pass took EfficientNetB0 from 32K to 114K lines and
/// its release compile past 7 minutes, caught only by watching a benchmark.
///
/// Each budget is the model's count when it was last set, for AVX2, plus
/// about 20%. A change that means to add code raises the budget here and
/// says why in its commit; one that removes code may lower it.
@Suite struct GeneratedSizeBudgetTests {
    static let folder = "Tests/Fixtures/keras/functional/json3"

    /// Lines of generated Swift allowed, by fixture (Keras 3 JSON of keras.applications at 64x64 to 96x96, 2026-12-05 counts in comments).
    static let budgets: [String: Int] = [
        "vgg16": 13_000,             // 10,092
        "resnet50": 28_000,          // 22,765
        "resnet50v2": 30_000,        // 24,297
        "densenet121": 63_000,       // 51,858
        "inceptionv3": 56_000,       // 46,229
        "mobilenet": 18_000,         // 14,701
        "mobilenetv2": 29_000,       // 23,638
        "mobilenetv3small": 31_000,  // 25,656
        "xception": 30_000,          // 24,354
        "efficientnetb0": 41_000,    // 33,772
        "efficientnetv2b0": 38_000,  // 31,149
        "nasnetmobile": 92_000,      // 76,336
        "inceptionresnetv2": 90_000, // 74,292 (75x75, 2026-12-06)
        "convnexttiny": 15_000,      // 11,759 (2026-12-06)
    ]

    @Test(arguments: budgets.keys.sorted())
    func generatedCodeStaysWithinItsBudget(stem: String) throws {
        let path = "\(Self.folder)/\(stem).json"
        let program = ModelPlanner.plan(try RepositoryFiles.model(path), specPath: path, target: .avx2)
        let lines = ModelGenerator.render(program).split(separator: "\n", omittingEmptySubsequences: false).count
        let budget = try #require(Self.budgets[stem])
        #expect(lines <= budget, "\(stem): \(lines) lines of generated Swift, over its budget of \(budget) (GeneratedSizeBudgetTests says what to do)")
    }
}
