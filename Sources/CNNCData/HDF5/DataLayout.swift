/// A decoded data layout message (spec §IV.A.2.i): where a dataset's raw data lives.
enum DataLayout {
    /// The data is inside the message (absolute byte range in the file).
    case compact(Range<Int>)
    /// The data is one run of bytes at `address`; `size` is absent in layout versions 1
    /// and 2, where it follows from the shape and element size.
    case contiguous(address: UInt64, size: UInt64?)
    case chunked
    case virtual
    case unknownClass(UInt8)
    case unknownVersion(UInt8)

    /// Versions 1 and 2: version, dimensionality, layout class, reserved (5), data address
    /// (8, absent for compact), dimension sizes (4 each), element size (4, chunked only),
    /// compact data size (4) and data (compact only).
    /// Versions 3 and later: version, layout class, then for compact: size (2) and data;
    /// for contiguous: address (8) and size (8). Versions 4 and 5 changed only the chunked
    /// and virtual classes, which are refused anyway.
    static func decode(_ cursor: inout ByteCursor) throws(HDF5Error) -> DataLayout {
        let version = try cursor.readUInt8()
        switch version {
        case 1, 2:
            let dimensionality = Int(try cursor.readUInt8())
            let layoutClass = try cursor.readUInt8()
            try cursor.skip(5)
            switch layoutClass {
            case 0:
                try cursor.skip(dimensionality * 4)
                let size = Int(try cursor.readUInt32())
                return .compact(try cursor.take(size))
            case 1:
                let address = try cursor.readAddress()
                return .contiguous(address: address, size: nil)
            case 2:
                return .chunked
            default:
                return .unknownClass(layoutClass)
            }
        case 3, 4, 5:
            let layoutClass = try cursor.readUInt8()
            switch layoutClass {
            case 0:
                let size = Int(try cursor.readUInt16())
                return .compact(try cursor.take(size))
            case 1:
                let address = try cursor.readAddress()
                let size = try cursor.readLength()
                return .contiguous(address: address, size: size)
            case 2:
                return .chunked
            case 3:
                return .virtual
            default:
                return .unknownClass(layoutClass)
            }
        default:
            return .unknownVersion(version)
        }
    }
}
