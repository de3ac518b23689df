import CNNCRuntime
import Foundation

/// What `cnnc predict --plot-layers` draws for the first input: each
/// convolution's feature maps and the first convolution's filters (see
/// `FeatureMapPicture`), from the layer outputs a model dumped and the
/// weights it ran with, with the file name each picture goes to.
public enum LayerPictureSet {
    public static let convolutionClasses: Set<String> = ["Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"]

    /// A layer of the model, as the pictures name it.
    public struct Layer: Sendable {
        /// Its place among the model's layers, which orders the files.
        public var index: Int
        /// Keras's layer name, which prefixes its weights (`conv2d.kernel`).
        public var name: String
        /// The name its output has in a dump: a shared layer's later calls are `name[1]`, ….
        public var outputName: String
        public var className: String

        public init(index: Int, name: String, outputName: String, className: String) {
            self.index = index
            self.name = name
            self.outputName = outputName
            self.className = className
        }
    }

    /// The pictures, in model order: `(file name, SVG)`.
    public static func pictures(layers: [Layer], outputs: SafeTensors, weights: SafeTensors) throws(RuntimeError) -> [(name: String, svg: String)] {
        guard let samples = outputs.tensors.values.first?.shape.first, samples > 0 else {
            throw RuntimeError("--plot-layers draws what the layers make of the first input, and the input holds no samples")
        }
        var pictures: [(name: String, svg: String)] = []
        let convolutions = layers.filter { convolutionClasses.contains($0.className) }
        // Keras's Conv1D kernel (k, inputs, filters) is a Conv2D kernel of one row.
        if let first = convolutions.first, ["Conv1D", "Conv2D"].contains(first.className),
           let kernel = weights.tensors["\(first.name).kernel"], kernel.shape.count == 3 || kernel.shape.count == 4 {
            let shape = kernel.shape.count == 3 ? [1] + kernel.shape : kernel.shape
            pictures.append((fileName(first.index, first.name, "filters"), FeatureMapPicture.filters(
                kernel.values, height: shape[0], width: shape[1], inputs: shape[2], filters: shape[3], layer: first.name)))
        }
        for layer in convolutions {
            // (N, height, width, channels), or a sequence's (N, steps, channels) as one row.
            guard let output = outputs.tensors[layer.outputName], output.shape.count == 4 || output.shape.count == 3 else { continue }
            let shape = output.shape.count == 3 ? [output.shape[0], 1, output.shape[1], output.shape[2]] : output.shape
            let (height, width, channels) = (shape[1], shape[2], shape[3])
            let first = Array(output.values.prefix(height * width * channels))
            pictures.append((fileName(layer.index, layer.outputName, "features"), FeatureMapPicture.featureMaps(
                first, height: height, width: width, channels: channels, layer: layer.outputName, className: layer.className)))
        }
        guard !pictures.isEmpty else {
            throw RuntimeError("--plot-layers: this model has no convolution (Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D or Conv2DTranspose) to draw")
        }
        return pictures
    }

    /// `03_conv2d_1.features.svg`: the layer's place keeps the files in model order;
    /// characters a file name cannot safely hold become `_`.
    public static func fileName(_ index: Int, _ layer: String, _ kind: String) -> String {
        let safe = String(layer.unicodeScalars.map { scalar in
            CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
        })
        return String(format: "%02d", index) + "_\(safe).\(kind).svg"
    }
}
