import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation

/// Warnings where cnnc's two ways with 8-bit pixels meet a model that
/// expects the other. `cnnc train` scales a classifier's uint8 images by
/// 1/255 (the built-in digits are drawn in [0, 1] too), as Keras users write
/// `x / 255`; `cnnc predict` takes uint8 arrays as they are, 0 to 255, as
/// Keras's `predict` does. Either way a model can get inputs 255 times off
/// and answer wrongly without a word; a Rescaling layer that reads the input
/// is the model's own way of taking raw pixels.
enum PixelScaleWarnings {
    /// For `predict`'s uint8 arrays, unless a Rescaling layer takes them.
    static func rawInputs(_ arguments: [String], model: CheckedModel) -> [String] {
        let names = model.inputs.map(\.name)
        return arguments.compactMap { argument in
            let (name, path) = PredictionArrays.named(argument, among: names) ?? (names.first ?? "", argument)
            guard !PredictionArrays.isNPZ(path), let index = names.firstIndex(of: name),
                  isUInt8(path), rescalings(of: index, in: model).isEmpty else { return nil }
            return "warning: \(path) holds uint8 values, which go in as they are (0 to 255), as Keras's predict takes them; "
                + "cnnc train scales a classifier's uint8 images by 1/255, so a model it trained so wants the array divided by 255, as float32"
        }
    }

    /// Whether the .npy file at `path` says uint8 (its header alone is read;
    /// an unreadable file is left to the reader that reports it).
    private static func isUInt8(_ path: String) -> Bool {
        guard let file = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? file.close() }
        guard let start = try? file.read(upToCount: 1 << 16) else { return false }
        return (try? NPYHeader.parse([UInt8](start), path: path))?.dtype == .uint8
    }

    /// For training data already in [0, 1] whose model rescales its input
    /// by at most 1/100 (Keras's `Rescaling(1/255)` for raw pixels): the
    /// model would train on values of at most that scale.
    static func scaledTwice(_ images: LabeledImages, model: CheckedModel) -> String? {
        let scales = rescalings(of: 0, in: model).flatMap(\.scale)
        guard !scales.isEmpty, scales.allSatisfy({ $0 > 0 && $0 <= 0.01 }),
              let largest = images.pixels.max(), largest <= 1 else { return nil }
        return "warning: the images are in [0, 1] (cnnc scales uint8 pixels by 1/255), and the model's Rescaling multiplies its input by \(scales[0]) again, "
            + "as Keras users do for raw 0-255 pixels: it would train on values of at most \(Float(scales[0])); give float32 pixels of 0 to 255 in npz:FILE, or remove the Rescaling"
    }

    /// The configs of the Rescaling layers that read model input `input`,
    /// when every layer reading it is one (else none). Layers that pass the
    /// pixels on at inference (an augmentation Sequential at the input, as
    /// Keras's transfer-learning guide builds it) are looked through.
    private static func rescalings(of input: Int, in model: CheckedModel) -> [RescalingConfig] {
        var configs: [RescalingConfig] = []
        var tensors: [TensorReference] = [.input(input)]
        while let tensor = tensors.popLast() {
            let readers = model.layers.indices.filter { model.layers[$0].inputs.contains(tensor) }
            guard !readers.isEmpty else { return [] }
            for index in readers {
                switch model.layers[index].operation {
                case .rescaling(let config): configs.append(config)
                case .identityAtInference: tensors.append(.layer(index))
                default: return []
                }
            }
        }
        return configs
    }
}
