import ArgumentParser
import CNNCCore
import CNNCData
import CNNCRuntime
import Foundation

/// The weights a command hands the model executable, which reads safetensors
/// only. A user's file is recognised by its content: safetensors is checked
/// against the model and used as it is; a Keras file (`.keras`, Keras 3's
/// `.weights.h5`, Keras 2's `.h5`) is read, matched to the model layer by
/// layer, and written as safetensors in a `StagingFolder` that `remove()`
/// deletes. A `.keras` or Keras 2 `.h5` model carries its own weights, used
/// when `--weights` is not given. Everything is checked before anything is compiled.
struct ModelWeights {
    /// The safetensors file for the executable.
    let path: String
    private let staging: URL?

    /// The optimizer state a trained model's `.keras` file keeps beside its
    /// weights (nil for any other file, or one saved before training).
    static func kerasOptimizerState(in path: String) -> (parameters: Int, bytes: Int)? {
        guard FileKind.of(path) == .zip, let weights = try? KerasArchive(path: path).weights() else { return nil }
        return KerasWeights.optimizerState(weights)
    }

    func remove() {
        if let staging { try? FileManager.default.removeItem(at: staging) }
    }

    /// The weights from `weights`, or else from the spec when it is a
    /// `.keras` file; nil when neither has any. Errors are printed and exit 1.
    static func prepareOrExit(_ weights: String?, spec: String, for model: CheckedModel) throws -> ModelWeights? {
        do throws(RuntimeError) {
            if let weights { return try prepare(weights, for: model) }
            // A Keras model file given as the model holds its weights too.
            guard [.zip, .hdf5].contains(FileKind.of(spec)) else { return nil }
            return try prepare(spec, for: model)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The same when weights are required: without them, say which files would do.
    static func requireOrExit(_ weights: String?, spec: String, for model: CheckedModel) throws -> ModelWeights {
        guard let prepared = try prepareOrExit(weights, spec: spec, for: model) else {
            FileHandle.standardError.write(Data("error: give the model's weights with --weights W (safetensors, a Keras .keras, .weights.h5 or .h5 file); a .keras or Keras 2 .h5 file given as the model carries its own\n".utf8))
            throw ExitCode.failure
        }
        return prepared
    }

    private static func prepare(_ path: String, for model: CheckedModel) throws(RuntimeError) -> ModelWeights {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RuntimeError(FileManager.default.fileExists(atPath: path) ? "\(path): cannot read the weights file" : "\(path): no such weights file")
        }
        switch FileKind.of(path) {
        case .hdf5:
            return try converted(from: path, for: model) { () throws(RuntimeError) in
                do throws(HDF5Error) { return try HDF5File.read(path: path) } catch { throw RuntimeError(error.message) }
            }
        case .zip:
            return try converted(from: path, for: model) { () throws(RuntimeError) in try kerasArchiveWeights(path) }
        case .npy:
            throw RuntimeError("\(path): this is a numpy .npy array, not weights; cnnc reads weights as safetensors or from Keras's .keras, .weights.h5 and .h5 files")
        case .other:
            if looksLikeJSON(path) { throw RuntimeError("\(path): this is JSON (a model's configuration?), not weights; cnnc reads weights as safetensors or from Keras's .keras, .weights.h5 and .h5 files") }
            let layout = model.weightTensors.map { TensorLayout(name: $0.name, shape: $0.shape, offset: $0.offset) }
            try SafeTensors.validate(path: path, matching: layout)
            return ModelWeights(path: path, staging: nil)
        }
    }

    private static func kerasArchiveWeights(_ path: String) throws(RuntimeError) -> HDF5File {
        try dataChecked { () throws(DataError) in try KerasArchive(path: path).weights() }
    }

    /// Writes a Keras file's weights as safetensors tensor by tensor, as they
    /// are read: the file's bytes and one tensor are all that is in memory (a
    /// 1.4 GB model took 4.1 GB when its weights were gathered first). Values
    /// that do not fit the model, or a NaN or infinity, are refused before
    /// anything is compiled, with the file's words; the staging folder goes.
    private static func converted(from source: String, for model: CheckedModel, opening open: () throws(RuntimeError) -> HDF5File) throws(RuntimeError) -> ModelWeights {
        let file = try open()
        let tensors = model.weightTensors
        let layers = KerasWeights.layers(of: tensors.map { ($0.name, $0.shape) })
        let staging: URL
        do {
            staging = try StagingFolder.make()
        } catch {
            throw RuntimeError("cannot make a temporary folder for the weights of \(source): \(error.localizedDescription)")
        }
        let path = staging.appendingPathComponent("weights.safetensors").path
        let layout = tensors.map { TensorLayout(name: $0.name, shape: $0.shape, offset: $0.offset) }
        // What went wrong: the Keras file's values (said as they are), or the writing.
        var refusal: String?
        var failure: (any Error)?
        do {
            try SafeTensors.write(layout: layout, metadata: ["format": "cnnc-weights-1", "source": source], to: path) { place in
                do throws(DataError) {
                    // KerasWeights reads the model's tensors only, each checked against the model's shape.
                    try KerasWeights.read(file, for: layers) { name, values in
                        if let index = values.firstIndex(where: { !$0.isFinite }) {
                            throw DataError("\(source): tensor '\(name)' holds \(values[index]) at index \(index); weights must be finite numbers (was the model trained until it diverged?)")
                        }
                        do { try values.withUnsafeBufferPointer { try place(name, $0) } } catch { failure = error; throw error }
                    }
                } catch {
                    if failure == nil { refusal = error.message }
                    throw error
                }
            }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            if let refusal { throw RuntimeError(refusal) }
            throw RuntimeError("cannot write the weights of \(source) to \(path): \((failure as? RuntimeError)?.message ?? error.message)")
        }
        return ModelWeights(path: path, staging: staging)
    }

    /// A safetensors file starts with its header's length, little-endian: a
    /// header under 4 GB leaves bytes 4 to 7 zero, which JSON text never has.
    private static func looksLikeJSON(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let bytes = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        guard bytes.count == 8, bytes[4..<8].contains(where: { $0 != 0 }),
              let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    private static func dataChecked<T>(_ body: () throws(DataError) -> T) throws(RuntimeError) -> T {
        do { return try body() } catch { throw RuntimeError(error.message) }
    }
}
