/// The superblock: where the file's structure starts (spec §II.A).
///
/// Versions 0 and 1 are what h5py writes by default (libver 'earliest'); version 1 only
/// adds the "Indexed Storage Internal Node K" field. Versions 2 and 3 are written with
/// libver 'latest' and hold the root object header's address directly.
struct Superblock {
    let version: Int
    /// Absolute offset that all file addresses are relative to.
    let baseAddress: Int
    let rootObjectHeaderAddress: UInt64

    /// "\211HDF\r\n\032\n" (spec §II.A, "Format Signature").
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    static func read(bytes: [UInt8], path: String) throws(HDF5Error) -> Superblock {
        let scope = Scope(filePath: path, object: "superblock")
        guard let location = findSignature(in: bytes) else {
            throw HDF5Error(
                message: "\(path): not an HDF5 file: the HDF5 signature (\\x89HDF\\r\\n\\x1a\\n) is neither at byte 0 "
                    + "nor at any power of two from 512 up to the file's size (\(bytes.count) bytes)")
        }
        var cursor = ByteCursor(
            bytes: bytes, range: location..<bytes.count, scope: scope,
            structure: "superblock at byte \(location)")
        try cursor.skip(signature.count)
        let version = Int(try cursor.readUInt8())
        let fields: (base: UInt64, endOfFile: UInt64, root: UInt64)
        switch version {
        case 0, 1:
            fields = try readVersion0Or1(&cursor, version: version, scope: scope)
        case 2, 3:
            fields = try readVersion2Or3(&cursor, scope: scope)
        default:
            throw scope.refusal(
                "has version \(version); cnnc reads superblock versions 0 to 3 (h5py writes version 0 by default, "
                    + "2 or 3 with libver='latest'); re-save the weights with h5py's default settings")
        }

        // The stored base address equals the superblock's position in every file h5py
        // writes (0, or the user block size). A file whose user block was added or removed
        // afterwards disagrees; the superblock's position is the one that still matches
        // the addresses, so that is the base this reader uses.
        _ = fields.base
        let base = location

        // "End of File Address" counts from the start of the file, user block included
        // (h5py writes the file's total size there). A file shorter than that was cut off.
        guard fields.endOfFile <= UInt64(bytes.count) else {
            throw scope.error(
                "the superblock says the file is \(fields.endOfFile) bytes long, but it has only "
                    + "\(bytes.count) bytes; the file is truncated; save or download it again")
        }
        return Superblock(version: version, baseAddress: base, rootObjectHeaderAddress: fields.root)
    }

    /// The signature is at byte 0, or after a user block of 512, 1024, 2048, ... bytes
    /// (spec §II.A: "at file offset 0, 512, 1024, 2048, and so on").
    private static func findSignature(in bytes: [UInt8]) -> Int? {
        var offset = 0
        while offset <= bytes.count - signature.count {
            if bytes[offset..<(offset + signature.count)].elementsEqual(signature) {
                return offset
            }
            if offset == 0 {
                offset = 512
            } else {
                let (doubled, overflow) = offset.multipliedReportingOverflow(by: 2)
                if overflow { return nil }
                offset = doubled
            }
        }
        return nil
    }

    /// Versions 0 and 1 (spec §II.A, "Superblock (Versions 0 and 1)").
    private static func readVersion0Or1(
        _ cursor: inout ByteCursor, version: Int, scope: Scope
    ) throws(HDF5Error) -> (base: UInt64, endOfFile: UInt64, root: UInt64) {
        let freeSpaceVersion = try cursor.readUInt8()
        let rootEntryVersion = try cursor.readUInt8()
        try cursor.skip(1)
        let sharedHeaderVersion = try cursor.readUInt8()
        guard freeSpaceVersion == 0, rootEntryVersion == 0, sharedHeaderVersion == 0 else {
            throw scope.error(
                "free-space version \(freeSpaceVersion), root symbol table entry version \(rootEntryVersion) and "
                    + "shared header version \(sharedHeaderVersion) should all be 0; \(damagedFileAdvice)")
        }
        try checkFieldSizes(&cursor, scope: scope)
        try cursor.skip(1)
        try cursor.skip(2 + 2)  // group leaf and internal node K: node capacity, not needed to read nodes
        try cursor.skip(4)  // file consistency flags
        if version == 1 {
            try cursor.skip(2 + 2)  // indexed storage internal node K, reserved
        }
        let base = try cursor.readAddress()
        try cursor.skip(8)  // address of the (unused) global free-space index
        let endOfFile = try cursor.readAddress()
        let driverInformation = try cursor.readAddress()
        guard driverInformation == FileImage.undefinedAddress else {
            throw scope.refusal(
                "points to a driver information block at \(hex(driverInformation)): the file was written with "
                    + "HDF5's 'family', 'multi' or 'split' driver; cnnc reads single-file HDF5 only; "
                    + "re-save the weights with h5py's default driver")
        }
        // Root group symbol table entry (spec §III.C): link name offset, object header address, ...
        try cursor.skip(8)
        let root = try cursor.readAddress()
        try cursor.skip(4 + 4 + 16)  // cache type, reserved, scratch pad; the root's header says the same
        return (base, endOfFile, root)
    }

    /// Versions 2 and 3 (spec §II.A, "Superblock (Versions 2 and 3)"). The checksum is
    /// not verified: every field is bounds-checked on use instead.
    private static func readVersion2Or3(
        _ cursor: inout ByteCursor, scope: Scope
    ) throws(HDF5Error) -> (base: UInt64, endOfFile: UInt64, root: UInt64) {
        try checkFieldSizes(&cursor, scope: scope)
        try cursor.skip(1)  // file consistency flags
        let base = try cursor.readAddress()
        try cursor.skip(8)  // superblock extension: holds shared-message tables and B-tree K values only
        let endOfFile = try cursor.readAddress()
        let root = try cursor.readAddress()
        try cursor.skip(4)  // checksum
        return (base, endOfFile, root)
    }

    /// "Size of Offsets" and "Size of Lengths": HDF5 writes 8 unless told otherwise, and
    /// this reader reads only 8.
    private static func checkFieldSizes(_ cursor: inout ByteCursor, scope: Scope) throws(HDF5Error) {
        let offsetSize = try cursor.readUInt8()
        let lengthSize = try cursor.readUInt8()
        guard offsetSize == 8, lengthSize == 8 else {
            throw scope.refusal(
                "declares \(offsetSize)-byte addresses and \(lengthSize)-byte lengths; cnnc reads files with "
                    + "8-byte addresses and lengths only (HDF5's default); re-save the weights with h5py's "
                    + "default settings")
        }
    }
}
