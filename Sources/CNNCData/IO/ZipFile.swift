import CNNCRuntime
import CNNCTraining
import Foundation
import ZIPFoundation

/// A zip archive a user handed cnnc (an `.npz`, a `.keras` model), read with
/// ZIPFoundation: its files by path, each unpacked whole and checked against
/// its CRC-32, so a damaged archive is an error rather than wrong numbers.
struct ZipFile {
    let path: String
    /// The files' paths, in the archive's order.
    let names: [String]
    private let archive: Archive
    private let entries: [String: Entry]
    /// The archive file's size.
    private let archiveBytes: UInt64

    /// `kind` names what the file should be ("an .npz file") and `writer`
    /// what makes one ("numpy.savez writes one"), for the message when it is
    /// not a zip archive at all.
    init(path: String, kind: String, writer: String) throws(DataError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw DataError("\(path): is a directory, not \(kind)") }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch Archive.ArchiveError.missingEndOfCentralDirectoryRecord {
            // A zip's directory is at its end: one that starts as a zip but has none was cut short.
            let start = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 4)).map { [UInt8]($0) } ?? []
            if start == [0x50, 0x4B, 0x03, 0x04] {
                throw DataError("\(path): a zip archive without its closing directory, so truncated or damaged; \(writer)")
            }
            throw DataError("\(path): not \(kind) (it is not a zip archive; \(writer))")
        } catch {
            throw DataError.unreadable(path)
        }
        var names: [String] = []
        var entries: [String: Entry] = [:]
        for entry in archive where entry.type == .file {
            names.append(entry.path)
            entries[entry.path] = entry
        }
        self.path = path
        self.names = names
        self.archive = archive
        self.entries = entries
        archiveBytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The unpacked bytes of the file `name`; `place` names it in messages.
    /// Unpacking stops past `longest` bytes, for a file that is never that
    /// large unless it is a decompression bomb (a model's config.json).
    func bytes(of name: String, place: String, longest: Int? = nil) throws(DataError) -> [UInt8] {
        guard let entry = entries[name] else { throw DataError("\(place): the archive has no \(name)") }
        var bytes: [UInt8] = []
        // A stored file (Keras stores model.weights.h5) is as long as its bytes
        // in the archive, which the archive holds: its whole length is reserved,
        // so a file over the 1 GB cap is not copied again as the array grows.
        // Any other size is the header's word, and capped.
        let stored = !entry.isCompressed && entry.compressedSize == entry.uncompressedSize && entry.compressedSize <= archiveBytes
        bytes.reserveCapacity(Int(stored ? entry.uncompressedSize : min(entry.uncompressedSize, 1 << 30)))
        // ZIPFoundation's own CRC goes a byte at a time where it cannot import
        // zlib (Linux); CRCChecksum goes eight.
        var checksum: UInt32 = 0
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: true) { chunk in
                if let longest, bytes.count + chunk.count > longest { throw TooLong() }
                chunk.withUnsafeBytes { checksum = CRCChecksum.checksum($0, continuing: checksum) }
                bytes.append(contentsOf: chunk)
            }
        } catch is TooLong {
            throw DataError("\(place): unpacks to more than \(longest ?? 0) bytes, far more than such a file holds; the archive is damaged or not what it says")
        } catch {
            throw DataError("\(place): cannot be unpacked (\(error)); the file is damaged")
        }
        guard checksum == entry.checksum else { throw DataError("\(place): the data does not match its CRC-32; the file is damaged") }
        return bytes
    }

    private struct TooLong: Error {}

    /// Writes a zip of `entries` (each a whole file's bytes) to `path`,
    /// replacing it atomically: deflated as numpy's `savez_compressed`, or
    /// stored as Keras's `.keras` files are.
    static func write(_ entries: [(name: String, bytes: [UInt8])], deflated: Bool, to path: String) throws(DataError) {
        let zipped: Data
        do {
            let archive = try Archive(accessMode: .create)
            for entry in entries {
                let bytes = entry.bytes
                try archive.addEntry(
                    with: entry.name, type: .file, uncompressedSize: Int64(bytes.count),
                    compressionMethod: deflated ? .deflate : .none, bufferSize: 1 << 20,
                    provider: { position, size in Data(bytes[Int(position)..<(Int(position) + size)]) })
            }
            guard let data = archive.data else { throw DataError("the archive was not kept in memory") }
            zipped = data
        } catch {
            throw DataError("cannot write \(path): \(error)")
        }
        do {
            try AtomicFile.write(zipped, to: path)
        } catch {
            throw DataError(error)
        }
    }
}
