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

    @Argument(help: ModelArgument.help)
    var spec: String

    @Option(help: "Weights: safetensors with Keras's names, or Keras's own .keras, .weights.h5 or .h5 file. A .keras model carries its own.")
    var weights: String?

    @Option(help: "Inputs as .npy: shape (N, height, width, channels) or one sample; float32, float64 or uint8. A model of several inputs takes one NAME=FILE.npy per input (repeat --input), or one .npz with an array named after each input.")
    var input: [String]

    @Option(help: "Write the outputs here as .npy (N, outputs), or as .npz with one array per output name (needed for several outputs). Without it, print the top classes.")
    var output: String?

    @Option(help: "Also write every layer's output, under Keras's layer names, to DIR/layers.safetensors (the layout cnnc verify reads).")
    var dumpLayers: String?

    @Option(help: "Draw what the convolutions see for the first input: each convolution's feature maps, and the first convolution's filters, as SVG files in DIR.")
    var plotLayers: String?

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "How many classes to print per sample when --output is absent.")
    var top: Int = 3

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        let model = try Diagnostics.loadCompilableOrExit(spec)
        let prepared = try ModelWeights.requireOrExit(weights, spec: spec, for: model)
        defer { prepared.remove() }
        let weights = prepared.path
        try PredictionArrays.checkOutputPath(output, layout: model.outputLayout)
        try OutputFolders.make(files: [output], folders: [dumpLayers, plotLayers])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-\(UUID().uuidString)")
        let packedInput = scratch.path + "-input.npy", packedOutput = scratch.path + "-output.npy"
        defer { for path in [packedInput, packedOutput] { try? FileManager.default.removeItem(atPath: path) } }
        for warning in PixelScaleWarnings.rawInputs(input, model: model) { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        // Several inputs are read and packed before the build, so a wrong name or shape costs no compile.
        let (executableInput, packed) = try PredictionArrays.executableInput(input, layout: model.inputLayout, scratch: packedInput)
        let built = try await CompiledModels.build(model, spec: spec, for: .inference)
        // One output written as .npy goes straight to the user's file; anything else is split by name.
        let direct = output.flatMap { model.outputLayout.slots.count == 1 && !PredictionArrays.isNPZ($0) ? $0 : nil }
        let target = direct ?? packedOutput
        try await CompiledModels.run(built.executable, job: .predict(.init(weights: weights, input: executableInput, output: target, inputsChecked: packed), threads: threadsOption.threads))
        let scratchLayers = scratch.path + "-layers.safetensors"
        defer { try? FileManager.default.removeItem(atPath: scratchLayers) }
        var layersPath: String?
        if let dumpLayers {
            layersPath = (dumpLayers as NSString).appendingPathComponent("layers.safetensors")
        } else if plotLayers != nil {
            layersPath = scratchLayers
        }
        if let layersPath {
            try await CompiledModels.run(built.executable, job: .layers(.init(weights: weights, input: executableInput, output: layersPath), source: "cnnc \(CNNCVersion.current)"))
            if dumpLayers != nil { FileHandle.standardError.write(Data("wrote every layer's output to \(layersPath)\n".utf8)) }
        }
        if let plotLayers, let layersPath {
            try LayerPictures.write(model: model, layerOutputs: layersPath, weights: weights, to: plotLayers)
        }
        guard direct == nil else { return }
        let result = try RuntimeCheck.asValidation { () throws(RuntimeError) in try NPYFile.read(path: packedOutput) }
        if let output {
            try PredictionArrays.writeOutputs(result, layout: model.outputLayout, to: output)
            return
        }
        let outputs = try PredictionArrays.split(result, layout: model.outputLayout)
        for (name, array) in outputs {
            if outputs.count > 1 { print("\(name):") }
            print(TopClasses.describe(array, top: top), terminator: "")
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
