import ArgumentParser
import CNNCCore
import CNNCRuntime
import Foundation

/// `cnnc export SPEC --format keras --output DIR [--weights W]`: the model as
/// Keras 3's `to_json()` (DIR/model.json) and its weights in the same
/// safetensors layout (DIR/weights.safetensors), so Keras can rebuild it,
/// train it anywhere Keras runs, and hand it back to cnnc. With weights it
/// also writes DIR/model.keras, which `keras.saving.load_model` opens as it
/// is. A `.keras` or Keras 2 `.h5` model exports its own weights.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a spec as a Keras 3 model.to_json() file, and with weights also as safetensors and a .keras file Keras loads.",
        discussion: """
            In Python: model = keras.models.model_from_json(open("DIR/model.json").read()), then \
            export_keras_model.apply_weights(model, safetensors.numpy.load_file("DIR/weights.safetensors")) \
            (Tools/keras-export). After training there, the exporter writes it back for cnnc.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case keras }

    @Argument(help: "The model: a spec (.yaml, .json), a Keras model.to_json() file, or a Keras .keras or .h5 file (whose weights are written too).")
    var spec: String

    @Option(help: "keras: Keras 3's model.to_json().")
    var format: Format = .keras

    @Option(help: "The folder to write model.json (and with weights, weights.safetensors and model.keras) into; made if missing.")
    var output: String

    @Option(help: "Weights to check against the model and write beside it as safetensors: safetensors, or Keras's .keras, .weights.h5 or .h5 file.")
    var weights: String?

    func run() throws {
        let loaded = try Diagnostics.loadOrExit(spec)
        // Checked against the model (or read from a Keras file and matched to it) before anything is written.
        let prepared = try ModelWeights.prepareOrExit(weights, spec: spec, for: loaded)
        defer { prepared?.remove() }
        let names = Keras3LayerNames(for: loaded)
        let model = names.apply(to: loaded)
        if let note = names.note { print("note: \(note)") }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let json = (output as NSString).appendingPathComponent("model.json")
            try AtomicFile.write(Data(KerasModelJSON.text(for: model).utf8), to: json)
            print("wrote \(json)")
            if let prepared {
                guard let data = FileManager.default.contents(atPath: prepared.path) else { throw RuntimeError("cannot read \(prepared.path)") }
                var tensors = try SafeTensors.parse(data, path: prepared.path)
                let path = (output as NSString).appendingPathComponent("weights.safetensors")
                if names.renamed.isEmpty {
                    // The file as it was checked, byte for byte (its dtypes and metadata included).
                    try AtomicFile.write(data, to: path)
                } else {
                    tensors.tensors = Dictionary(uniqueKeysWithValues: tensors.tensors.map { (names.tensorName($0.key), $0.value) })
                    try tensors.write(to: path)
                }
                print("wrote \(path)")
                let archive = (output as NSString).appendingPathComponent("model.keras")
                try KerasFileExport.write(model, weights: tensors, to: archive)
                print("wrote \(archive) (keras.saving.load_model opens it)")
            } else {
                print("no weights given: model.keras, which holds them, is not written (give --weights W)")
            }
        } catch let error as RuntimeError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        } catch {
            FileHandle.standardError.write(Data("error: cannot write into \(output): \(error.localizedDescription)\n".utf8))
            throw ExitCode.failure
        }
    }
}
