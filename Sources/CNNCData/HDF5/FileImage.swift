/// The bytes of one HDF5 file and the rule that turns file addresses into byte offsets.
///
/// Addresses stored in an HDF5 file are relative to the superblock's base address
/// (spec §II.A, "Base Address"): a file with a 512-byte user block has its superblock and
/// its base at byte 512. Every address read from the file reaches the bytes through
/// `range(address:length:)`, which checks for overflow and for the end of the file.
struct FileImage: Sendable {
    let bytes: [UInt8]
    let path: String
    /// Absolute offset that file addresses are relative to.
    let baseAddress: Int

    /// The "undefined address" has all bits set (spec Appendix A, Definitions).
    static let undefinedAddress = UInt64.max

    /// The absolute byte range of `length` bytes at file address `address`.
    func range(address: UInt64, length: UInt64, scope: Scope, structure: String) throws(HDF5Error) -> Range<Int> {
        guard address != Self.undefinedAddress else {
            throw scope.error("the \(structure) has an undefined address; \(damagedFileAdvice)")
        }
        guard let relative = Int(exactly: address), let count = Int(exactly: length) else {
            throw outOfFile(address: address, length: length, scope: scope, structure: structure)
        }
        let (lower, overflowA) = baseAddress.addingReportingOverflow(relative)
        let (upper, overflowB) = lower.addingReportingOverflow(count)
        guard !overflowA, !overflowB, upper <= bytes.count else {
            throw outOfFile(address: address, length: length, scope: scope, structure: structure)
        }
        return lower..<upper
    }

    /// A cursor over `length` bytes at `address`. `structure` names what is there, with its
    /// address ("B-tree node at 0x88"), for messages.
    func cursor(address: UInt64, length: UInt64, scope: Scope, structure: String) throws(HDF5Error) -> ByteCursor {
        let region = try range(address: address, length: length, scope: scope, structure: structure)
        return ByteCursor(bytes: bytes, range: region, scope: scope, structure: structure)
    }

    /// A cursor from `address` to the end of the file, for structures whose size is only
    /// known once their header has been read (B-tree nodes, symbol table nodes).
    func cursorToEndOfFile(address: UInt64, scope: Scope, structure: String) throws(HDF5Error) -> ByteCursor {
        let lower = try range(address: address, length: 0, scope: scope, structure: structure).lowerBound
        return ByteCursor(bytes: bytes, range: lower..<bytes.count, scope: scope, structure: structure)
    }

    private func outOfFile(address: UInt64, length: UInt64, scope: Scope, structure: String) -> HDF5Error {
        scope.error(
            "the \(structure) (\(length) bytes from address \(hex(address)), base \(baseAddress)) "
                + "lies outside the file, which has \(bytes.count) bytes; \(damagedFileAdvice)")
    }
}
