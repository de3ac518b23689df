/// The file being written: structures are placed one after another, each at a
/// multiple of 8 bytes, and filled in once the addresses they refer to are known.
///
/// File addresses equal byte offsets: the superblock is at byte 0 and its base
/// address is 0.
struct FileBuffer {
    private(set) var bytes: [UInt8] = []

    /// 2 TiB: far above any weights file, and low enough that no sum of addresses and
    /// sizes elsewhere can overflow.
    static let maximumSize = 1 << 41

    /// Reserves `size` zero bytes at the end of the file for `what` and returns their
    /// address.
    mutating func reserve(_ size: Int, for what: @autoclosure () -> String) throws(HDF5WriteError) -> Int {
        guard let start = roundedUpTo8(bytes.count), size >= 0 else {
            throw HDF5WriteError(message: "the file grows beyond what can be addressed while placing \(what())")
        }
        let (end, overflow) = start.addingReportingOverflow(size)
        guard !overflow, end <= FileBuffer.maximumSize else {
            throw HDF5WriteError(message: "the file grows beyond 2 TiB while placing \(what())")
        }
        bytes.append(contentsOf: Array(repeating: 0, count: end - bytes.count))
        return start
    }

    /// Writes `data` over bytes reserved earlier.
    mutating func write(_ data: [UInt8], at address: Int) {
        precondition(address >= 0 && address + data.count <= bytes.count, "writing outside a reserved block")
        bytes.replaceSubrange(address..<(address + data.count), with: data)
    }

    /// Writes a dataset's values over bytes reserved earlier.
    mutating func write(_ array: HDF5Array, at address: Int) {
        array.write(into: &bytes, at: address)
    }
}
