/// Builds one structure's bytes, little-endian, as every HDF5 field is.
struct ByteWriter {
    /// The "undefined address" (all bits set; spec Appendix A), for absent structures.
    static let undefinedAddress = UInt64.max

    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) { integer(value) }

    mutating func u32(_ value: UInt32) { integer(value) }

    mutating func u64(_ value: UInt64) { integer(value) }

    /// A file address or length (8 bytes, as the superblock declares).
    mutating func address(_ value: Int) { integer(UInt64(value)) }

    mutating func append<S: Sequence>(_ values: S) where S.Element == UInt8 { bytes.append(contentsOf: values) }

    mutating func signature(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func zeros(_ count: Int) { bytes.append(contentsOf: Array(repeating: 0, count: count)) }

    /// Zero bytes up to the next multiple of `alignment`.
    mutating func pad(toMultipleOf alignment: Int) {
        zeros((alignment - bytes.count % alignment) % alignment)
    }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// `value` rounded up to a multiple of 8, or nil on overflow. HDF5 pads names in local
/// heaps, objects in global heaps and messages in version 1 object headers this way.
func roundedUpTo8(_ value: Int) -> Int? {
    let (sum, overflow) = value.addingReportingOverflow(7)
    return overflow ? nil : sum & ~7
}
