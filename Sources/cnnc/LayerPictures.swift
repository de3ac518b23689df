import ArgumentParser
import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation

/// `cnnc predict --plot-layers DIR`: for the first input, each convolution's
/// feature maps, and the filters of the first convolution, as SVG pictures
/// (see `FeatureMapPicture`), from the layer outputs the model dumped and the
/// weights it ran with. Each file is replaced whole; other files in DIR stay.
enum LayerPictures {
    static let convolutionClasses: Set<String> = ["Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"]

    static func write(model: CheckedModel, layerOutputs: String, weights: String, to folder: String) throws {
        let dump = try RuntimeCheck.asValidation { () throws(RuntimeError) in try SafeTensors.read(path: layerOutputs, kind: "layer outputs") }
        guard let samples = dump.tensors.values.first?.shape.first, samples > 0 else {
            throw ValidationError("--plot-layers draws what the layers make of the first input, and the input holds no samples")
        }
        let parameters = try RuntimeCheck.asValidation { () throws(RuntimeError) in try SafeTensors.read(path: weights) }
        var pictures: [(name: String, svg: String)] = []
        let convolutions = model.layers.enumerated().filter { convolutionClasses.contains($0.element.className) }
        // Keras's Conv1D kernel (k, inputs, filters) is a Conv2D kernel of one row.
        if let (index, first) = convolutions.first, ["Conv1D", "Conv2D"].contains(first.className),
           let kernel = parameters.tensors["\(first.name).kernel"], kernel.shape.count == 3 || kernel.shape.count == 4 {
            let shape = kernel.shape.count == 3 ? [1] + kernel.shape : kernel.shape
            pictures.append((fileName(index, first.name, "filters"), FeatureMapPicture.filters(
                kernel.values, height: shape[0], width: shape[1], inputs: shape[2], filters: shape[3], layer: first.name)))
        }
        for (index, layer) in convolutions {
            // (N, height, width, channels), or a sequence's (N, steps, channels) as one row.
            guard let output = dump.tensors[layer.descriptionName], output.shape.count == 4 || output.shape.count == 3 else { continue }
            let shape = output.shape.count == 3 ? [output.shape[0], 1, output.shape[1], output.shape[2]] : output.shape
            let (height, width, channels) = (shape[1], shape[2], shape[3])
            let first = Array(output.values.prefix(height * width * channels))
            pictures.append((fileName(index, layer.descriptionName, "features"), FeatureMapPicture.featureMaps(
                first, height: height, width: width, channels: channels, layer: layer.descriptionName, className: layer.className)))
        }
        guard !pictures.isEmpty else {
            throw ValidationError("--plot-layers: this model has no convolution (Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D or Conv2DTranspose) to draw")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create the folder \(folder): \(error.localizedDescription)")
        }
        for picture in pictures {
            try TextOutput.write(picture.svg, to: (folder as NSString).appendingPathComponent(picture.name))
        }
    }

    /// `03_conv2d_1.features.svg`: the layer's place keeps the files in model order;
    /// characters a file name cannot safely hold become `_`.
    static func fileName(_ index: Int, _ layer: String, _ kind: String) -> String {
        let safe = String(layer.unicodeScalars.map { scalar in
            CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
        })
        return String(format: "%02d", index) + "_\(safe).\(kind).svg"
    }
}
