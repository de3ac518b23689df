import CNNCCore
import CNNCData
import Foundation

/// The model file a command names, whatever form the user has it in: a spec
/// (YAML or JSON), a Keras `model.to_json()` file, a Keras 3 `.keras`
/// archive, whose `config.json` is read like a `to_json` file and whose
/// diagnostics point into it (`m.keras/config.json:1:1753`), or a Keras 2
/// `.h5` model, whose `model_config` attribute is. The kind is
/// recognised by the file's first bytes, not its name.
enum SpecFile {
    static func load(_ path: String) -> Result<CheckedModel, DiagnosticsError> {
        let here = SourceLocation(file: path, line: 1, column: 1)
        switch FileKind.of(path) {
        case .zip:
            do throws(DataError) {
                let archive = try KerasArchive(path: path)
                return Frontend.load(text: archive.config, file: archive.configPath)
            } catch {
                return .failure(DiagnosticsError([Diagnostic(.error, Self.withoutPath(error.message, path), at: here)]))
            }
        case .hdf5:
            do throws(DataError) {
                return Frontend.load(text: try kerasTwoConfig(path), file: "\(path)/model_config")
            } catch {
                return .failure(DiagnosticsError([Diagnostic(.error, Self.withoutPath(error.message, path), at: here)]))
            }
        default:
            return Frontend.load(path: path)
        }
    }

    /// The architecture Keras 2's `model.save("m.h5")` keeps in the root's
    /// `model_config` attribute (its `to_json()` text).
    private static func kerasTwoConfig(_ path: String) throws(DataError) -> String {
        let file: HDF5File
        do { file = try HDF5File.read(path: path) } catch { throw DataError(error.message) }
        guard let config = file.root.attributes.first(where: { $0.name == "model_config" }) else {
            throw DataError("\(path): an HDF5 file without a model (no 'model_config' attribute: weights only?); give the model as a .keras file, a model.to_json() file or a spec, and this file as --weights")
        }
        guard let text = config.string else {
            throw DataError("\(path): the 'model_config' attribute is not text; Keras 2 writes the model's JSON there")
        }
        return text
    }

    /// A data error's message starts with the path, which the diagnostic already shows.
    private static func withoutPath(_ message: String, _ path: String) -> String {
        message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
    }
}

/// What a file is, from its first bytes.
enum FileKind {
    case hdf5, zip, npy, other

    static func of(_ path: String) -> FileKind {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .other }
        defer { try? handle.close() }
        let kind = of(start: (try? handle.read(upToCount: 8)) ?? Data())
        guard kind == .other, let size = try? handle.seekToEnd() else { return kind }
        // An HDF5 file with a user block has its signature at a power of two
        // from 512 on (HDF5 spec §II.A), which the HDF5 reader also looks for.
        var offset: UInt64 = 512
        while offset + 8 <= size {
            guard (try? handle.seek(toOffset: offset)) != nil else { break }
            if of(start: (try? handle.read(upToCount: 8)) ?? Data()) == .hdf5 { return .hdf5 }
            offset *= 2
        }
        return kind
    }

    static func of(start: Data) -> FileKind {
        let bytes = [UInt8](start)
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46]) { return .hdf5 }
        // A zip starts with a local file header, or, empty, with its end record.
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return .npy }
        return .other
    }
}
