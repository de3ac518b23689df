/// The plan and generate stages in one call: a `CheckedModel` in, one Swift
/// source file out. `ModelPlanner` decides everything (Plan/), then
/// `ModelRenderer` writes it (Generate/). The file declares a type for the
/// model whose sizes are all constants and whose forward pass is a sequence
/// of specialized layer functions over one arena; it imports only `CNNCRuntime`.
public struct ModelGenerator {
    public var model: CheckedModel
    /// The spec's path as it should appear in the header (keep it relative for reproducible output).
    public var specPath: String
    /// The CPU kind the kernels are shaped for (see `TargetCPU`).
    public var target: TargetCPU
    /// False to leave out the training extension (the backward pass, about
    /// half of a model's lines and of its compile time) for a model that only
    /// runs forward: `cnnc predict`, `verify` and `bench` build that form.
    public var includesTraining: Bool

    public init(model: CheckedModel, specPath: String, target: TargetCPU, includesTraining: Bool = true) {
        self.model = model
        self.specPath = specPath
        self.target = target
        self.includesTraining = includesTraining
    }

    public var typeName: String { SwiftNames.typeName(forSpecPath: specPath) }

    /// The plan the Swift is rendered from (`cnnc generate --emit-plan` prints it).
    public var program: ModelProgram { ModelPlanner.plan(model, specPath: specPath, target: target) }

    public func generate() -> String {
        Self.render(program, includesTraining: includesTraining)
    }

    /// The Swift source of a planned model (one plan renders both forms).
    public static func render(_ program: ModelProgram, includesTraining: Bool = true) -> String {
        ModelRenderer(program: program, includesTraining: includesTraining).render()
    }

    /// The same model as the files cnnc builds it from, which the compiler
    /// works on in parallel (see `GeneratedFile`).
    public static func renderFiles(_ program: ModelProgram, includesTraining: Bool = true) -> [GeneratedFile] {
        ModelRenderer(program: program, includesTraining: includesTraining).renderFiles()
    }
}
