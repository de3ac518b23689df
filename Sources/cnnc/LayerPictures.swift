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
    static let convolutionClasses: Set<String> = ["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"]

    static func write(model: CheckedModel, layerOutputs: String, weights: String, to folder: String) throws {
        let dump = try RuntimeCheck.asValidation { () throws(RuntimeError) in try SafeTensors.read(path: layerOutputs, kind: "layer outputs") }
        let parameters = try RuntimeCheck.asValidation { () throws(RuntimeError) in try SafeTensors.read(path: weights) }
        var pictures: [(name: String, svg: String)] = []
        let convolutions = model.layers.enumerated().filter { convolutionClasses.contains($0.element.className) }
        if let (index, first) = convolutions.first, first.className == "Conv2D",
           let kernel = parameters.tensors["\(first.name).kernel"], kernel.shape.count == 4 {
            pictures.append((fileName(index, first.name, "filters"), FeatureMapPicture.filters(
                kernel.values, height: kernel.shape[0], width: kernel.shape[1], inputs: kernel.shape[2], filters: kernel.shape[3], layer: first.name)))
        }
        for (index, layer) in convolutions {
            guard let output = dump.tensors[layer.descriptionName], output.shape.count == 4 else { continue }
            let (height, width, channels) = (output.shape[1], output.shape[2], output.shape[3])
            let first = Array(output.values.prefix(height * width * channels))
            pictures.append((fileName(index, layer.descriptionName, "features"), FeatureMapPicture.featureMaps(
                first, height: height, width: width, channels: channels, layer: layer.descriptionName, className: layer.className)))
        }
        guard !pictures.isEmpty else {
            throw ValidationError("--plot-layers: this model has no convolution (Conv2D, DepthwiseConv2D, SeparableConv2D or Conv2DTranspose) over images to draw")
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
