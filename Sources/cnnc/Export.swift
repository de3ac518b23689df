import ArgumentParser
import CNNCCore
import CNNCRuntime
import Foundation

/// `cnnc export SPEC --format keras --output DIR [--weights W]`: the model as
/// Keras 3's `to_json()` (DIR/model.json) and its weights in the same
/// safetensors layout (DIR/weights.safetensors), so Keras can rebuild it,
/// train it anywhere Keras runs, and hand it back to cnnc.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a spec as a Keras 3 model.to_json() file (and its weights), for training or checking in Keras.",
        discussion: """
            In Python: model = keras.models.model_from_json(open("DIR/model.json").read()), then \
            export_keras_model.apply_weights(model, safetensors.numpy.load_file("DIR/weights.safetensors")) \
            (Tools/keras-export). After training there, the exporter writes it back for cnnc.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case keras }

    @Argument(help: "The model's spec (.yaml, .json, or a Keras model.to_json() file).")
    var spec: String

    @Option(help: "keras: Keras 3's model.to_json().")
    var format: Format = .keras

    @Option(help: "The folder to write model.json (and weights.safetensors) into; made if missing.")
    var output: String

    @Option(help: "Weights (safetensors, Keras's names) to check against the model and write beside it.")
    var weights: String?

    func validate() throws {
        if let weights, !FileManager.default.fileExists(atPath: weights) { throw ValidationError("no weights file at \(weights)") }
    }

    func run() throws {
        let model = try Diagnostics.loadOrExit(spec)
        var weightData: Data?
        if let weights {
            weightData = try Self.checkedWeights(weights, for: model)
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let json = (output as NSString).appendingPathComponent("model.json")
            try AtomicFile.write(Data(KerasModelJSON.text(for: model).utf8), to: json)
            print("wrote \(json)")
            if let weightData {
                let path = (output as NSString).appendingPathComponent("weights.safetensors")
                try AtomicFile.write(weightData, to: path)
                print("wrote \(path)")
            }
        } catch let error as RuntimeError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        } catch {
            FileHandle.standardError.write(Data("error: cannot write into \(output): \(error.localizedDescription)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The file's bytes, once every tensor the model needs is there with its shape (and nothing else).
    static func checkedWeights(_ path: String, for model: CheckedModel) throws -> Data {
        do throws(RuntimeError) {
            let file = try SafeTensors.read(path: path)
            var offset = 0
            let layout = KerasWeightTensors.list(for: model).map { tensor in
                defer { offset += tensor.shape.reduce(1, *) }
                return TensorLayout(name: tensor.name, shape: tensor.shape, offset: offset)
            }
            _ = try file.parameters(matching: layout, count: offset, path: path)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ExitCode.failure }
        return data
    }
}
