import ArgumentParser
import CNNCCore
import CNNCRuntime
import Foundation

/// A weights file is checked before anything is compiled: a wrong file costs
/// the user a message, not a build. The file is recognised by its content
/// (a Keras HDF5 or zip file, a numpy array, JSON) and said what it is, and a
/// safetensors file must hold exactly the model's tensors.
enum WeightsFileCheck {
    static func checkOrExit(_ path: String, for model: CheckedModel) throws {
        do throws(RuntimeError) {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw RuntimeError(FileManager.default.fileExists(atPath: path) ? "\(path): cannot read the weights file" : "\(path): no such weights file")
            }
            let start = (try? handle.read(upToCount: 8)) ?? Data()
            try? handle.close()
            if let kind = foreignKind(start) { throw RuntimeError("\(path): \(kind); cnnc reads weights as safetensors (Tools/keras-export writes them from a Keras model)") }
            let layout = model.weightTensors.map { TensorLayout(name: $0.name, shape: $0.shape, offset: $0.offset) }
            try SafeTensors.read(path: path).check(matching: layout, path: path)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// What a file that is not safetensors is, from its first bytes.
    static func foreignKind(_ start: Data) -> String? {
        let bytes = [UInt8](start)
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46]) { return "this is an HDF5 file (Keras's .h5 or .weights.h5), not safetensors" }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "this is a zip archive (a .keras model or an .npz), not safetensors" }
        if bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return "this is a numpy .npy array, not safetensors" }
        // A safetensors file starts with its header's length, little-endian: a
        // header under 4 GB leaves bytes 4 to 7 zero, which JSON text never has.
        let text = bytes.count == 8 && bytes[4..<8].contains { $0 != 0 }
        if text, let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return "this is JSON (a model's configuration?), not safetensors"
        }
        return nil
    }
}
