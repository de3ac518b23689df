import CNNCRuntime
import CNNCTraining
import Foundation

/// The model executable's checking modes, which `cnnc predict --dump-layers`
/// and `cnnc verify` run:
///
///     Model layers WEIGHTS INPUT.npy OUTPUT.safetensors
///     Model verify WEIGHTS REFERENCE.safetensors ATOL RTOL
///
/// `verify` prints the report and exits 1 when a layer diverges.
enum VerificationRunner {
    static let modes: Set<String> = ["layers", "verify"]

    static func main<Model: CompiledModel>(_ type: Model.Type, arguments: [String]) -> Never {
        do throws(RuntimeError) {
            switch (arguments[1], arguments.count) {
            case ("layers", 5):
                let model = try Model(contentsOf: arguments[2])
                let input = try NPYFile.read(path: arguments[3])
                _ = try Model.batchCount(of: input, path: arguments[3])
                try model.writeLayerOutputs(batch: input.values, to: arguments[4], metadata: ["source": "cnnc \(CNNCRuntimeInfo.version)"])
                exit(0)
            case ("verify", 6):
                guard let absolute = Float(arguments[4]), let relative = Float(arguments[5]), absolute >= 0, relative >= 0 else {
                    throw RuntimeError("the tolerances must be numbers at least 0; got atol \(arguments[4]), rtol \(arguments[5])")
                }
                let model = try Model(contentsOf: arguments[2])
                let reference = try ReferenceVectors(contentsOf: arguments[3], for: Model.self)
                let report = try VerificationReport(model: model, reference: reference, tolerance: .init(absolute: absolute, relative: relative))
                print(report.text, terminator: "")
                exit(report.passed ? 0 : 1)
            default:
                throw RuntimeError("usage: \(arguments[0]) layers WEIGHTS INPUT.npy OUTPUT.safetensors | verify WEIGHTS REFERENCE.safetensors ATOL RTOL")
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            exit(1)
        }
    }
}
