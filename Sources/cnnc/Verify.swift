import ArgumentParser
import CNNCCore
import CNNCRunner
import Foundation

/// `cnnc verify SPEC --weights W --reference R`: the compiled model against
/// Keras, layer by layer, on the reference's own inputs.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare every layer of the compiled model with reference outputs computed by Keras.",
        discussion: """
            Make the reference with Tools/keras-export/export_keras_model.py MODEL OUTDIR --reference \
            (every layer's output for a few inputs). Prints one line per layer and exits 1 naming the \
            first layer that diverges: a different shape, values outside the tolerance, or NaN/Inf.
            """)

    @Argument(help: ModelArgument.help)
    var spec: String

    @Option(help: "Weights: safetensors with Keras's names, or Keras's own .keras, .weights.h5 or .h5 file. A .keras model carries its own.")
    var weights: String?

    @Option(help: "Reference layer outputs (safetensors): a tensor __input__ and one per layer name.")
    var reference: String

    @Option(help: "Absolute tolerance: |a - b| <= atol + rtol * |b|.")
    var atol: Float = 1e-5

    @Option(help: "Relative tolerance.")
    var rtol: Float = 1e-4

    func validate() throws {
        guard atol >= 0, rtol >= 0, atol.isFinite, rtol.isFinite else {
            throw ValidationError("--atol and --rtol must be finite and at least 0")
        }
    }

    func run() async throws {
        let model = try Diagnostics.loadCompilableOrExit(spec)
        let prepared = try ModelWeights.requireOrExit(weights, spec: spec, for: model)
        defer { prepared.remove() }
        let weights = prepared.path
        let built = try await CompiledModels.build(model, spec: spec, for: .inference)
        try await CompiledModels.run(built.executable, job: .verify(.init(weights: weights, reference: reference, absoluteTolerance: atol, relativeTolerance: rtol)))
    }
}
