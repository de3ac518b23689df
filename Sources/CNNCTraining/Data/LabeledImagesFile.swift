import CNNCRuntime
import Foundation

/// How `cnnc` hands a data set to a compiled model's executable: one
/// safetensors file with `images` (N, H, W, C), `labels` (N,) and, for soft
/// targets, `targets` (N, classes) in float32 and the class count (and names, if known) in the metadata. cnnc reads the
/// user's IDX or .npz files once and writes this; the executable reads it with
/// what the runtime already has.
extension LabeledImages {
    public static let fileFormat = "cnnc-labeled-images-1"

    public func write(to path: String, classNames: [String]? = nil) throws(RuntimeError) {
        var layout = [TensorLayout(name: "images", shape: [count, height, width, channels], offset: 0),
                      TensorLayout(name: "labels", shape: [count], offset: pixels.count)]
        if targets != nil { layout.append(TensorLayout(name: "targets", shape: [count, classCount], offset: pixels.count + count)) }
        var metadata = ["format": Self.fileFormat, "class_count": String(classCount)]
        if let classNames { metadata["class_names"] = classNames.joined(separator: "\n") }
        try SafeTensors.write(parameters: pixels + labels.map(Float.init) + (targets ?? []), layout: layout, metadata: metadata, to: path)
    }

    /// Reads a file `write(to:)` made, with its class names (empty when it had none).
    public static func read(path: String) throws(RuntimeError) -> (images: LabeledImages, classNames: [String]) {
        let file = try SafeTensors.read(path: path, kind: "data set")
        guard file.metadata["format"] == Self.fileFormat, let images = file.tensors["images"], let labels = file.tensors["labels"],
              images.shape.count == 4, let classCount = file.metadata["class_count"].flatMap(Int.init) else {
            throw RuntimeError("\(path) is not a data set file cnnc wrote (format \(Self.fileFormat) with images, labels and class_count)")
        }
        guard labels.values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < Float(Int32.max) }) else {
            throw RuntimeError("\(path): labels must be whole numbers from 0")
        }
        let data = try LabeledImages(height: images.shape[1], width: images.shape[2], channels: images.shape[3],
                                     pixels: images.values, labels: labels.values.map { Int32($0) }, classCount: classCount,
                                     targets: file.tensors["targets"]?.values)
        let names = file.metadata["class_names"] ?? ""
        return (data, names.isEmpty ? [] : names.components(separatedBy: "\n"))
    }
}
