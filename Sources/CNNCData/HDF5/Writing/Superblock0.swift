/// Superblock version 0 (spec §II.A), as h5py writes it by default: 8-byte addresses and
/// lengths, the group node sizes (HDF5's defaults unless a test asks otherwise), base address 0, no free-space index and no
/// driver information, then the root group's symbol table entry with its B-tree and
/// local heap cached in the scratch pad (cache type 1).
enum Superblock0 {
    static let size = 96

    /// "\211HDF\r\n\032\n".
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    static func encode(k: GroupIndex.NodeK, endOfFile: Int, rootHeader: Int, rootBTree: Int, rootLocalHeap: Int) -> [UInt8] {
        var writer = ByteWriter(capacity: size)
        writer.append(signature)
        writer.u8(0)  // superblock version
        writer.u8(0)  // free-space storage version
        writer.u8(0)  // root group symbol table entry version
        writer.u8(0)
        writer.u8(0)  // shared header message format version
        writer.u8(8)  // size of offsets
        writer.u8(8)  // size of lengths
        writer.u8(0)
        writer.u16(UInt16(k.leaf))
        writer.u16(UInt16(k.internal))
        writer.u32(0)  // file consistency flags
        writer.u64(0)  // base address
        writer.u64(ByteWriter.undefinedAddress)  // free-space info
        writer.address(endOfFile)
        writer.u64(ByteWriter.undefinedAddress)  // driver information block
        // Root group symbol table entry: link name offset, header, cache type 1, reserved, scratch pad.
        writer.u64(0)
        writer.address(rootHeader)
        writer.u32(1)
        writer.u32(0)
        writer.address(rootBTree)
        writer.address(rootLocalHeap)
        return writer.bytes
    }
}
