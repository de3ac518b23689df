/// Names the filters of a filter pipeline message (spec §IV.A.2.l), only to say in a
/// refusal what compressed a chunked dataset. Returns nil when the message cannot be read.
enum FilterPipeline {
    static func filterNames(_ cursor: inout ByteCursor) -> [String]? {
        try? readNames(&cursor)
    }

    /// Version 1: version, count, reserved (6), then per filter: ID (2), name length (2),
    /// flags (2), value count (2), name (padded to 8), values (4 each, padded to 8).
    /// Version 2: version, count, then per filter: ID (2), name length (2, only for
    /// IDs of 256 and up), flags (2), value count (2), name (unpadded), values (4 each).
    private static func readNames(_ cursor: inout ByteCursor) throws(HDF5Error) -> [String] {
        let version = try cursor.readUInt8()
        let count = Int(try cursor.readUInt8())
        if version == 1 { try cursor.skip(6) }
        var names: [String] = []
        for _ in 0..<min(count, 32) {
            let identifier = try cursor.readUInt16()
            var nameLength = 0
            if version == 1 || identifier >= 256 {
                nameLength = Int(try cursor.readUInt16())
            }
            try cursor.skip(2)  // flags
            let valueCount = Int(try cursor.readUInt16())
            if version == 1 {
                try cursor.skip(roundUpToMultipleOf8(nameLength) ?? nameLength)
                try cursor.skip(valueCount * 4 + (valueCount % 2 == 1 ? 4 : 0))
            } else {
                try cursor.skip(nameLength)
                try cursor.skip(valueCount * 4)
            }
            names.append(knownFilterName(identifier))
        }
        return names
    }

    private static func knownFilterName(_ identifier: UInt16) -> String {
        switch identifier {
        case 1: return "deflate (gzip)"
        case 2: return "shuffle"
        case 3: return "fletcher32"
        case 4: return "szip"
        case 5: return "nbit"
        case 6: return "scaleoffset"
        case 32001: return "blosc"
        case 32004: return "lz4"
        case 32008: return "bitshuffle"
        case 32015: return "zstd"
        default: return "filter \(identifier)"
        }
    }
}
