import ArgumentParser
import CNNCBuild
import CNNCCore
import CNNCRunner
import CNNCRuntime
import Foundation
import Subprocess

/// `cnnc predict SPEC --weights W --input X.npy [--output Y.npy]`: compile the
/// model (release, cached) and run it over a batch.
struct Predict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a spec (cached) and run it over a batch of inputs from a .npy file.")

    @Argument(help: "The model's spec (.yaml, .json, or a Keras model.to_json() file).")
    var spec: String

    @Option(help: "Weights as safetensors, with Keras's names (Tools/keras-export makes them from a Keras model).")
    var weights: String

    @Option(help: "Inputs as .npy: shape (N, height, width, channels) or one sample; float32, float64 or uint8.")
    var input: String

    @Option(help: "Write the outputs here as .npy (N, outputs). Without it, print the top classes.")
    var output: String?

    @Option(help: "Also write every layer's output, under Keras's layer names, to DIR/layers.safetensors (the layout cnnc verify reads).")
    var dumpLayers: String?

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "How many classes to print per sample when --output is absent.")
    var top: Int = 3

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        let model = try Diagnostics.loadCompilableOrExit(spec)
        try WeightsFileCheck.checkOrExit(weights, for: model)
        let built = try await CompiledModels.build(model, spec: spec)
        let target = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-\(UUID().uuidString).npy").path
        defer { if output == nil { try? FileManager.default.removeItem(atPath: target) } }
        try await CompiledModels.run(built.executable, job: .predict(.init(weights: weights, input: input, output: target), threads: threadsOption.threads))
        if let dumpLayers {
            do {
                try FileManager.default.createDirectory(atPath: dumpLayers, withIntermediateDirectories: true)
            } catch {
                throw ValidationError("cannot create the folder \(dumpLayers): \(error.localizedDescription)")
            }
            let path = (dumpLayers as NSString).appendingPathComponent("layers.safetensors")
            try await CompiledModels.run(built.executable, job: .layers(.init(weights: weights, input: input, output: path), source: "cnnc \(CNNCVersion.current)"))
            FileHandle.standardError.write(Data("wrote every layer's output to \(path)\n".utf8))
        }
        if output == nil {
            do throws(RuntimeError) {
                let result = try NPYFile.read(path: target)
                print(TopClasses.describe(result, top: top), terminator: "")
            } catch {
                throw ValidationError(error.message)
            }
        }
    }
}

/// The most probable classes of each sample, for a quick look at a prediction.
enum TopClasses {
    static func describe(_ result: NPYFile, top: Int) -> String {
        let samples = result.shape.first ?? 1
        let width = result.values.count / max(samples, 1)
        var text = ""
        for sample in 0..<samples {
            let row = Array(result.values[(sample * width)..<((sample + 1) * width)])
            if width == 1 {
                text += "sample \(sample): \(String(format: "%.6f", row[0]))\n"
                continue
            }
            let best = row.enumerated().sorted { $0.element > $1.element }.prefix(top)
            text += "sample \(sample): " + best.map { "class \($0.offset) (\(String(format: "%.4f", $0.element)))" }.joined(separator: ", ") + "\n"
        }
        return text
    }
}
