import CNNCRuntime

/// Named float arrays in an `.npz` file: a model's inputs by input name for
/// `cnnc predict`, and its outputs by output name.
public enum NPZTensors {
    /// Every array of the archive in its order, read as float32 (float32,
    /// float64 and uint8 arrays, as `.npy` inputs are).
    public static func read(path: String) throws(DataError) -> [(name: String, array: NPYFile)] {
        let archive = try NPZArchive(path: path)
        var arrays: [(name: String, array: NPYFile)] = []
        for name in archive.arrayNames {
            let array = try archive.array(name)
            do {
                arrays.append((name, try NPYFile.parse(array.bytes, path: "\(path) (array '\(name)')")))
            } catch {
                throw DataError(error)
            }
        }
        return arrays
    }

    /// Writes the arrays as float32, under their names, atomically.
    public static func write(_ arrays: [(name: String, array: NPYFile)], to path: String) throws(DataError) {
        try NPZWriter.write(arrays.map { ($0.name, [UInt8]($0.array.encoded())) }, to: path)
    }
}
