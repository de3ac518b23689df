import CNNCRuntime
import CNNCTraining
import Foundation
import ZIPFoundation

/// A numpy `.npz` file as `numpy.savez` and `savez_compressed` write it: a zip
/// archive with one `.npy` file per array, named after the keyword argument
/// (`x_train.npy`), stored or deflated. ZIPFoundation reads the zip.
struct NPZArchive {
    let path: String
    /// The arrays' names, without `.npy`, in the archive's order.
    let arrayNames: [String]
    private let archive: Archive
    private let entries: [String: Entry]

    init(path: String) throws(DataError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw DataError("\(path): is a directory, not an .npz file") }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch Archive.ArchiveError.missingEndOfCentralDirectoryRecord {
            throw DataError("\(path): not an .npz file (it is not a zip archive; numpy.savez writes one)")
        } catch {
            throw DataError.unreadable(path)
        }
        var names: [String] = []
        var entries: [String: Entry] = [:]
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
            let name = String(entry.path.dropLast(4))
            names.append(name)
            entries[name] = entry
        }
        self.path = path
        self.arrayNames = names
        self.archive = archive
        self.entries = entries
    }

    func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The array `name` (its header checked: little-endian, C order, complete).
    func array(_ name: String) throws(DataError) -> NPYArray {
        guard let entry = entries[name] else { throw DataError.missingArray(path, name, has: arrayNames) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(entry.uncompressedSize, 1 << 30)))
        let place = "\(path) (array '\(name)')"
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, bufferSize: 1 << 20) { bytes.append(contentsOf: $0) }
        } catch {
            throw DataError("\(place): cannot be unpacked (\(error)); the file is damaged")
        }
        guard checksum == entry.checksum else { throw DataError("\(place): the data does not match its CRC-32; the file is damaged") }
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
