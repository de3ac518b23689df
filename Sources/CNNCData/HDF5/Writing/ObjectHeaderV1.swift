/// A version 1 object header (spec §IV.A.1.a), the kind h5py writes by default: version
/// 1, reserved (1), message count (2), reference count (4), size of the message data
/// (4), reserved (4) so that messages start 8-byte aligned; then each message: type (2),
/// data size (2), flags (1), reserved (3), data. Every message is in this one block:
/// no continuation blocks and no null messages.
enum ObjectHeaderV1 {
    static let prefixSize = 16
    static let messageHeaderSize = 8

    /// The header's size in the file, or nil if its data would not fit the 4-byte size
    /// field (or its messages the 2-byte count).
    static func size(of messages: [EncodedMessage]) -> Int? {
        guard let data = dataSize(of: messages) else { return nil }
        return prefixSize + data
    }

    static func encode(_ messages: [EncodedMessage]) -> [UInt8] {
        let data = dataSize(of: messages) ?? 0
        var writer = ByteWriter(capacity: prefixSize + data)
        writer.u8(1)
        writer.u8(0)
        writer.u16(UInt16(messages.count))
        writer.u32(1)  // one hard link points at every object this writer makes
        writer.u32(UInt32(data))
        writer.zeros(4)
        for message in messages {
            writer.u16(message.type)
            writer.u16(UInt16(message.data.count))
            writer.u8(message.flags)
            writer.zeros(3)
            writer.append(message.data)
        }
        return writer.bytes
    }

    private static func dataSize(of messages: [EncodedMessage]) -> Int? {
        guard messages.count <= Int(UInt16.max) else { return nil }
        var total = 0
        for message in messages {
            guard message.data.count <= Int(UInt16.max) else { return nil }
            total += messageHeaderSize + message.data.count
        }
        return total <= Int(UInt32.max) ? total : nil
    }
}
