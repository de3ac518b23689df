import CNNCRuntime

/// Named float arrays in an `.npz` file: a model's inputs by input name for
/// `cnnc predict`, and its outputs by output name.
public enum NPZTensors {
    /// Every array of the archive in its order, read as float32 (float32,
    /// float64 and uint8 arrays, as `.npy` inputs are). With
    /// `wholeNumbers`, integer arrays (class labels as Keras users keep
    /// them, int32 or int64) are read too, as the floats of their values,
    /// which must be exact in float32 (below 2^24 in size).
    public static func read(path: String, wholeNumbers: Bool = false) throws(DataError) -> [(name: String, array: NPYFile)] {
        let archive = try NPZArchive(path: path)
        var arrays: [(name: String, array: NPYFile)] = []
        for name in archive.arrayNames {
            let array = try archive.array(name)
            let place = "\(path) (array '\(name)')"
            do {
                arrays.append((name, try NPYFile.parse(array.bytes, path: place)))
            } catch {
                guard wholeNumbers, let integers = array.header.integers(in: array.bytes) else { throw DataError(error) }
                if let bad = integers.first(where: { $0.magnitude > 1 << 24 }) {
                    throw DataError("\(place): holds \(bad), too large to be exact as float32; cnnc reads whole numbers up to 16,777,216 in size")
                }
                arrays.append((name, NPYFile(shape: array.shape, values: integers.map(Float.init))))
            }
        }
        return arrays
    }

    /// The names of the archive's arrays, in its order, none of them read.
    public static func names(path: String) throws(DataError) -> [String] {
        try NPZArchive(path: path).arrayNames
    }

    /// Writes the arrays as float32, under their names, atomically.
    public static func write(_ arrays: [(name: String, array: NPYFile)], to path: String) throws(DataError) {
        try NPZWriter.write(arrays.map { ($0.name, [UInt8]($0.array.encoded())) }, to: path)
    }
}
