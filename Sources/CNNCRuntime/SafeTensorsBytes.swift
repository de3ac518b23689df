import Foundation

/// Where a safetensors file's bytes are read from: the file itself, at
/// offsets, so that each tensor's values go from the file straight into
/// their place (a model's weights are never in memory twice), or bytes
/// already in memory.
protocol SafeTensorsBytes {
    /// Bytes in all.
    var count: Int { get }
    /// Copies the bytes of `range` (within `count`) into `target`, which holds `range.count` bytes.
    func copy(_ range: Range<Int>, into target: UnsafeMutableRawBufferPointer) throws(RuntimeError)
}

extension SafeTensorsBytes {
    /// The bytes of `range` as an array (the header).
    func bytes(_ range: Range<Int>) throws(RuntimeError) -> [UInt8] {
        var failure: RuntimeError?
        let bytes = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            do throws(RuntimeError) { try copy(range, into: UnsafeMutableRawBufferPointer(buffer)); initialized = range.count } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }
}

extension Data: SafeTensorsBytes {
    func copy(_ range: Range<Int>, into target: UnsafeMutableRawBufferPointer) throws(RuntimeError) {
        withUnsafeBytes { source in target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range])) }
    }
}

/// A file open for reading at offsets (`pread`), closed when released.
final class SafeTensorsFile: SafeTensorsBytes {
    let path: String
    let count: Int
    private let descriptor: Int32

    /// `kind` names the file in errors ("no such weights file").
    init(path: String, kind: String) throws(RuntimeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RuntimeError("\(path): no such \(kind) file")
        }
        let descriptor = isDirectory.boolValue ? -1 : open(path, O_RDONLY | O_CLOEXEC)
        var status = stat()
        guard descriptor >= 0 else { throw RuntimeError("\(path): cannot read the \(kind) file") }
        guard fstat(descriptor, &status) == 0, Int(exactly: status.st_size) != nil else {
            close(descriptor)
            throw RuntimeError("\(path): cannot read the \(kind) file")
        }
        self.path = path
        self.descriptor = descriptor
        count = Int(status.st_size)
    }

    deinit { close(descriptor) }

    func copy(_ range: Range<Int>, into target: UnsafeMutableRawBufferPointer) throws(RuntimeError) {
        var done = 0
        while done < range.count {
            let read = pread(descriptor, target.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else {
                // The file shrank after its size was read, or the disk failed.
                throw RuntimeError("\(path): cannot read bytes \(range.lowerBound + done)..<\(range.upperBound) (\(read < 0 ? String(cString: strerror(errno)) : "the file ended early")); the file is truncated or unreadable")
            }
            done += read
        }
    }
}
