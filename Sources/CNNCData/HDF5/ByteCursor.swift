/// Reads little-endian fields from one region of the file, refusing to step outside it.
///
/// HDF5 stores all of its metadata little-endian (File Format Specification, §I.A:
/// "all metadata fields are stored in little-endian byte order"). A cursor is confined to
/// the region it was made for (one object header block, one heap, one message), so a
/// length read from a damaged file can never make it read a neighbour's bytes, let alone
/// past the end of the array: every step goes through `take`, which checks first.
struct ByteCursor {
    let bytes: [UInt8]
    /// First byte of the region (absolute offset in `bytes`).
    let start: Int
    /// One past the last byte of the region.
    let end: Int
    private(set) var position: Int
    let scope: Scope
    /// What the region holds, for messages: "object header at 0x60".
    let structure: String

    init(bytes: [UInt8], range: Range<Int>, scope: Scope, structure: String) {
        // Callers pass ranges that FileImage has checked; clamping anyway means that
        // a mistake here can only produce a "cut short" error, never an out-of-bounds read.
        let lower = min(max(range.lowerBound, 0), bytes.count)
        let upper = min(max(range.upperBound, lower), bytes.count)
        self.bytes = bytes
        self.start = lower
        self.end = upper
        self.position = lower
        self.scope = scope
        self.structure = structure
    }

    var remaining: Int { end - position }

    /// Bytes consumed since the start of the region.
    var offsetInRegion: Int { position - start }

    /// Claims the next `count` bytes and returns their absolute range.
    mutating func take(_ count: Int) throws(HDF5Error) -> Range<Int> {
        guard count >= 0, count <= end - position else {
            throw scope.error(
                "\(structure) is cut short: it needs \(count) more bytes at byte \(position) "
                    + "but its region ends at byte \(end); \(damagedFileAdvice)")
        }
        let range = position..<(position + count)
        position += count
        return range
    }

    /// Claims a length read from the file, which may not fit an Int.
    mutating func take(fileLength: UInt64) throws(HDF5Error) -> Range<Int> {
        guard let count = Int(exactly: fileLength) else {
            throw scope.error(
                "\(structure) claims a length of \(fileLength) bytes, more than any file holds; "
                    + damagedFileAdvice)
        }
        return try take(count)
    }

    mutating func skip(_ count: Int) throws(HDF5Error) {
        _ = try take(count)
    }

    mutating func readUInt8() throws(HDF5Error) -> UInt8 {
        let range = try take(1)
        return bytes[range.lowerBound]
    }

    /// Reads an unsigned little-endian integer of 1 to 8 bytes.
    mutating func readUnsigned(byteCount: Int) throws(HDF5Error) -> UInt64 {
        guard (1...8).contains(byteCount) else {
            throw scope.error("\(structure) has a \(byteCount)-byte integer field; \(damagedFileAdvice)")
        }
        let range = try take(byteCount)
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for index in range {
            value |= UInt64(bytes[index]) << shift
            shift += 8
        }
        return value
    }

    mutating func readUInt16() throws(HDF5Error) -> UInt16 {
        UInt16(truncatingIfNeeded: try readUnsigned(byteCount: 2))
    }

    mutating func readUInt32() throws(HDF5Error) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUnsigned(byteCount: 4))
    }

    mutating func readUInt64() throws(HDF5Error) -> UInt64 {
        try readUnsigned(byteCount: 8)
    }

    /// An address field. The superblock has already refused files whose "Size of Offsets"
    /// is not 8, so every address is 8 bytes (spec §II.A).
    mutating func readAddress() throws(HDF5Error) -> UInt64 {
        try readUInt64()
    }

    /// A length field; 8 bytes for the same reason as addresses.
    mutating func readLength() throws(HDF5Error) -> UInt64 {
        try readUInt64()
    }

    /// Checks a four-byte signature such as "TREE" or "SNOD" and consumes it.
    mutating func expectSignature(_ signature: String) throws(HDF5Error) {
        let expected = Array(signature.utf8)
        let range = try take(expected.count)
        guard bytes[range].elementsEqual(expected) else {
            let found = bytes[range].map { String($0, radix: 16) }.joined(separator: " ")
            throw scope.error(
                "expected the '\(signature)' signature of the \(structure) but found bytes [\(found)]; "
                    + damagedFileAdvice)
        }
    }

    /// Checks a structure's signature and the version byte after it, the
    /// start of every structure with a signature but an object header.
    mutating func expectSignature(_ signature: String, version expected: UInt8) throws(HDF5Error) {
        try expectSignature(signature)
        let version = try readUInt8()
        guard version == expected else {
            throw scope.error("the \(structure) has version \(version); expected \(expected); \(damagedFileAdvice)")
        }
    }

    /// Skips the padding that rounds a field up to a multiple of `alignment` bytes,
    /// counted from the start of the region.
    mutating func skipPadding(toMultipleOf alignment: Int) throws(HDF5Error) {
        let misalignment = offsetInRegion % alignment
        if misalignment != 0 {
            try skip(alignment - misalignment)
        }
    }

    /// A cursor for a sub-range of this region (an attribute's datatype, say).
    func subcursor(_ range: Range<Int>, structure: String) -> ByteCursor {
        let lower = min(max(range.lowerBound, start), end)
        let upper = min(max(range.upperBound, lower), end)
        return ByteCursor(bytes: bytes, range: lower..<upper, scope: scope, structure: structure)
    }
}

/// Rounds up to the next multiple of 8, the alignment of version 1 object header
/// messages and of version 1 attribute fields (spec §IV.A.1.a and §IV.A.2.m).
func roundUpToMultipleOf8(_ value: Int) -> Int? {
    let (sum, overflow) = value.addingReportingOverflow(7)
    return overflow ? nil : sum & ~7
}
