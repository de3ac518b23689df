import CNNCRuntime
import Foundation

/// The model executable's checking jobs, which `cnnc predict --dump-layers`
/// and `cnnc verify` send.
enum VerificationRunner {
    /// Every layer's output for a batch, as safetensors.
    static func writeLayers<Model: CompiledModel>(_ type: Model.Type, _ files: ModelJob.BatchFiles, source: String) throws(RuntimeError) {
        let model = try Model(contentsOf: files.weights)
        let input = try NPYFile.read(path: files.input)
        _ = try Model.batchCount(of: input, path: files.input)
        try model.writeLayerOutputs(batch: input.values, to: files.output, metadata: ["source": source])
    }

    /// Prints the report; true when every layer agrees within the tolerances.
    static func verify<Model: CompiledModel>(_ type: Model.Type, _ job: ModelJob.Verification) throws(RuntimeError) -> Bool {
        guard job.absoluteTolerance >= 0, job.relativeTolerance >= 0 else {
            throw RuntimeError("the tolerances must be numbers at least 0; got atol \(job.absoluteTolerance), rtol \(job.relativeTolerance)")
        }
        let model = try Model(contentsOf: job.weights)
        let reference = try ReferenceVectors(contentsOf: job.reference, for: Model.self)
        let tolerance = LayerComparison.Tolerance(absolute: job.absoluteTolerance, relative: job.relativeTolerance)
        let report = try VerificationReport(model: model, reference: reference, tolerance: tolerance)
        print(report.text, terminator: "")
        return report.passed
    }
}
