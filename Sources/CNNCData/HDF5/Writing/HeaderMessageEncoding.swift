/// One object header message ready to be written: its type, flags and data, the data
/// padded to a multiple of 8 bytes as version 1 object headers require (spec §IV.A.1.a).
struct EncodedMessage {
    let type: UInt16
    let flags: UInt8
    let data: [UInt8]

    /// Bit 0 of the message flags: the message never changes (h5py's datatype and fill
    /// value messages carry it).
    static let constant: UInt8 = 0x01

    init(type: UInt16, flags: UInt8 = 0, _ writer: ByteWriter) {
        var padded = writer
        padded.pad(toMultipleOf: 8)
        self.type = type
        self.flags = flags
        self.data = padded.bytes
    }

    /// Dataspace, version 1 (§IV.A.2.b): version, rank, flags (bit 0: maximum sizes
    /// follow), reserved (5), the sizes, then the maximum sizes, equal to the sizes as
    /// h5py writes a fixed-size dataset. Rank 0 is a scalar.
    static func dataspace(shape: [Int]) -> EncodedMessage {
        var writer = ByteWriter()
        writer.u8(1)
        writer.u8(UInt8(shape.count))
        writer.u8(shape.isEmpty ? 0 : 1)
        writer.zeros(5)
        for dimension in shape { writer.address(dimension) }
        for dimension in shape { writer.address(dimension) }
        return EncodedMessage(type: 0x0001, writer)
    }

    /// Datatype (§IV.A.2.d) of the dataset's elements.
    static func datatype(of array: HDF5Array) -> EncodedMessage {
        var writer = ByteWriter()
        switch array.elements {
        case .float32:
            // Class 1, version 1; little-endian, mantissa normalised with an implied
            // leading 1 (bits 4-5 = 2), sign at bit 31; IEEE binary32 layout.
            writer.append([0x11, 0x20, 0x1f, 0x00])
            writer.u32(4)
            writer.u16(0)  // bit offset
            writer.u16(32)  // precision
            writer.append([23, 8, 0, 23])  // exponent location and size, mantissa location and size
            writer.u32(127)  // exponent bias
        case .int32:
            writer.append(fixedPointType(size: 4, signed: true))
        case .int64:
            writer.append(fixedPointType(size: 8, signed: true))
        }
        return EncodedMessage(type: 0x0003, flags: constant, writer)
    }

    /// Fixed-point class 0, version 1: little-endian, bit 3 signed; bit offset 0 and
    /// full precision.
    private static func fixedPointType(size: UInt32, signed: Bool) -> [UInt8] {
        var writer = ByteWriter()
        writer.append([0x10, signed ? 0x08 : 0x00, 0, 0])
        writer.u32(size)
        writer.u16(0)
        writer.u16(UInt16(size * 8))
        return writer.bytes
    }

    /// Fill value, version 2 (§IV.A.2.f), as h5py writes it: space allocated late,
    /// fill value written if set, defined with size 0 (the default, zeros).
    static func fillValue() -> EncodedMessage {
        var writer = ByteWriter()
        writer.append([2, 2, 2, 1])
        writer.u32(0)
        return EncodedMessage(type: 0x0005, flags: constant, writer)
    }

    /// Data layout, version 3 (§IV.A.2.i), contiguous class: the values' address and
    /// size. An empty dataset has no storage: undefined address, size 0.
    static func contiguousLayout(address: Int?, size: Int) -> EncodedMessage {
        var writer = ByteWriter()
        writer.u8(3)
        writer.u8(1)
        writer.u64(address.map { UInt64($0) } ?? ByteWriter.undefinedAddress)
        writer.address(size)
        return EncodedMessage(type: 0x0008, writer)
    }

    /// Symbol table (§IV.A.2.r): the group's v1 B-tree and local heap.
    static func symbolTable(bTree: Int, localHeap: Int) -> EncodedMessage {
        var writer = ByteWriter()
        writer.address(bTree)
        writer.address(localHeap)
        return EncodedMessage(type: 0x0011, writer)
    }

    /// Attribute, version 1 (§IV.A.2.m), holding one variable-length UTF-8 string, as
    /// h5py stores a Python `str`: version, reserved, the sizes of the name (with its
    /// NUL), datatype and dataspace, each of the three padded to 8 bytes, then the value:
    /// the string's length in bytes and its global heap ID (collection address, index).
    static func stringAttribute(name: String, length: Int, heapObject: GlobalHeapID) -> EncodedMessage {
        var nameField = ByteWriter()
        nameField.append(name.utf8)
        nameField.u8(0)
        let nameSize = nameField.bytes.count
        nameField.pad(toMultipleOf: 8)

        // Variable-length class 9, version 1: type 1 (string), NUL-terminated, UTF-8
        // (bits 8-11 = 1); 16-byte elements; base type: unsigned 8-bit integer.
        var datatype = ByteWriter()
        datatype.append([0x19, 0x01, 0x01, 0x00])
        datatype.u32(16)
        datatype.append(fixedPointType(size: 1, signed: false))
        let datatypeSize = datatype.bytes.count
        datatype.pad(toMultipleOf: 8)

        // Dataspace version 1 of rank 0: a scalar.
        let dataspace: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0]

        var writer = ByteWriter()
        writer.u8(1)
        writer.u8(0)
        writer.u16(UInt16(nameSize))
        writer.u16(UInt16(datatypeSize))
        writer.u16(UInt16(dataspace.count))
        writer.append(nameField.bytes)
        writer.append(datatype.bytes)
        writer.append(dataspace)
        writer.u32(UInt32(length))
        writer.address(heapObject.collection)
        writer.u32(UInt32(heapObject.index))
        return EncodedMessage(type: 0x000C, writer)
    }
}
