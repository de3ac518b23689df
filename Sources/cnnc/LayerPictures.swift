import ArgumentParser
import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation

/// `cnnc predict --plot-layers DIR`: the pictures `LayerPictureSet` draws from
/// the layer outputs the model dumped and the weights it ran with, written
/// into DIR. Each file is replaced whole; other files in DIR stay.
enum LayerPictures {
    static func write(model: CheckedModel, layerOutputs: String, weights: String, to folder: String) throws {
        let pictures = try RuntimeCheck.asValidation { () throws(RuntimeError) in
            try LayerPictureSet.pictures(layers: layers(of: model),
                                         outputs: try SafeTensors.read(path: layerOutputs, kind: "layer outputs"),
                                         weights: try SafeTensors.read(path: weights))
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

    /// The checked model's layers as the pictures name them.
    static func layers(of model: CheckedModel) -> [LayerPictureSet.Layer] {
        model.layers.enumerated().map { index, layer in
            LayerPictureSet.Layer(index: index, name: layer.name, outputName: layer.descriptionName, className: layer.className)
        }
    }
}
