/// Writes a `.keras` file that `keras.saving.load_model` opens: a zip of
/// `metadata.json`, `config.json` and `model.weights.h5`, stored without
/// compression as Keras stores them, replaced atomically.
public enum KerasArchiveWriter {
    /// The Keras version whose loader the files are checked against
    /// (Tools/keras-fixtures/check_exported_keras.py).
    public static let kerasVersion = "3.15.1"

    public static func write(config: String, weights: [UInt8], to path: String) throws(DataError) {
        let metadata = "{\"keras_version\": \"\(kerasVersion)\", \"date_saved\": \"written by cnnc\"}"
        let entries: [(name: String, bytes: [UInt8])] = [
            ("metadata.json", Array(metadata.utf8)), ("config.json", Array(config.utf8)), ("model.weights.h5", weights),
        ]
        try ZipFile.write(entries, deflated: false, to: path)
    }
}
