import Foundation

/// A Keras 3 `.keras` file, as `model.save("m.keras")` writes it: a zip
/// archive of `config.json` (the architecture, in the form `model.to_json()`
/// writes), `metadata.json` (the Keras version) and `model.weights.h5` (the
/// weights, HDF5). cnnc reads the architecture as it reads a `to_json` file,
/// and the weights with `KerasWeights`.
public struct KerasArchive {
    public let path: String
    /// `config.json` as text.
    public let config: String
    /// `keras_version` from `metadata.json`, when it says.
    public let kerasVersion: String?
    private let zip: ZipFile

    /// Where diagnostics about the architecture point: the file inside the archive.
    public var configPath: String { "\(path)/config.json" }

    public init(path: String) throws(DataError) {
        zip = try ZipFile(path: path, kind: "a .keras model", writer: "Keras's model.save(\"m.keras\") writes one")
        guard zip.contains("config.json") else {
            let found = zip.names.isEmpty ? "no files" : zip.names.prefix(8).joined(separator: ", ")
            throw DataError("\(path): a zip archive without config.json, so not a .keras model (it holds \(found)); Keras 3's model.save(\"m.keras\") writes config.json, metadata.json and model.weights.h5")
        }
        // keras.applications' architectures are at most a few MB of JSON; 64 MB is no model's.
        let bytes = try zip.bytes(of: "config.json", place: "\(path) (config.json)", longest: 64 << 20)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DataError("\(path) (config.json): not UTF-8 text; the file is damaged")
        }
        config = text
        self.path = path
        kerasVersion = Self.kerasVersion(in: zip, path: path)
    }

    /// Whether the archive holds weights (`model.save` always writes them).
    public var hasWeights: Bool { zip.contains("model.weights.h5") }

    /// The bytes of `model.weights.h5`.
    public func weightsFile() throws(DataError) -> [UInt8] {
        try zip.bytes(of: "model.weights.h5", place: "\(path) (model.weights.h5)")
    }

    /// `model.weights.h5` opened; messages name it `m.keras/model.weights.h5`.
    public func weights() throws(DataError) -> HDF5File {
        guard hasWeights else {
            throw DataError("\(path): a .keras archive without model.weights.h5; save the model with model.save(\"m.keras\"), which writes the weights")
        }
        let bytes = try weightsFile()
        do {
            return try HDF5File(bytes: bytes, path: "\(path)/model.weights.h5")
        } catch {
            throw DataError(error.message)
        }
    }

    private static func kerasVersion(in zip: ZipFile, path: String) -> String? {
        guard zip.contains("metadata.json"),
              let bytes = try? zip.bytes(of: "metadata.json", place: path),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        return object["keras_version"] as? String
    }
}
