import CNNCRuntime
import CNNCTraining
import Foundation

/// A numpy `.npz` file as `numpy.savez` and `savez_compressed` write it: a zip
/// archive with one `.npy` file per array, named after the keyword argument
/// (`x_train.npy`), stored or deflated. ZIPFoundation reads the zip.
struct NPZArchive {
    let path: String
    /// The arrays' names, without `.npy`, in the archive's order.
    let arrayNames: [String]
    private let zip: ZipFile

    init(path: String) throws(DataError) {
        zip = try ZipFile(path: path, kind: "an .npz file", writer: "numpy.savez writes one")
        self.path = path
        arrayNames = zip.names.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }
    }

    func contains(_ name: String) -> Bool { zip.contains(name + ".npy") }

    /// The array `name` (its header checked: little-endian, C order, complete).
    func array(_ name: String) throws(DataError) -> NPYArray {
        guard contains(name) else { throw DataError.missingArray(path, name, has: arrayNames) }
        let place = "\(path) (array '\(name)')"
        let bytes = try zip.bytes(of: name + ".npy", place: place)
        do {
            return NPYArray(name: name, header: try NPYHeader.parse(bytes, path: place), bytes: bytes)
        } catch {
            throw DataError(error)
        }
    }
}

/// One array from an .npz: its checked header and the whole `.npy` file's bytes.
struct NPYArray {
    var name: String
    var header: NPYHeader
    var bytes: [UInt8]

    var shape: [Int] { header.shape }

    /// The elements after the header.
    var elements: ArraySlice<UInt8> { bytes[header.dataOffset..<(header.dataOffset + header.count * header.dtype.size)] }
}
