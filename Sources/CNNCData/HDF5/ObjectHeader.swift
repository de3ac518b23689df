/// Header message type codes (spec §IV.A.2, one subsection per type).
enum MessageType {
    static let nilMessage: UInt16 = 0x00
    static let dataspace: UInt16 = 0x01
    static let linkInfo: UInt16 = 0x02
    static let datatype: UInt16 = 0x03
    static let fillValueOld: UInt16 = 0x04
    static let fillValue: UInt16 = 0x05
    static let link: UInt16 = 0x06
    static let externalDataFiles: UInt16 = 0x07
    static let dataLayout: UInt16 = 0x08
    static let groupInfo: UInt16 = 0x0A
    static let filterPipeline: UInt16 = 0x0B
    static let attribute: UInt16 = 0x0C
    static let continuation: UInt16 = 0x10
    static let symbolTable: UInt16 = 0x11
    static let attributeInfo: UInt16 = 0x15
    /// Types up to here are defined by the specification; ones this reader does not
    /// interpret (times, comments, reference counts, B-tree K values ...) do not change
    /// what a weights file means and are skipped.
    static let highestKnown: UInt16 = 0x18

    static func name(_ type: UInt16) -> String {
        switch type {
        case dataspace: return "dataspace"
        case linkInfo: return "link info"
        case datatype: return "datatype"
        case link: return "link"
        case dataLayout: return "data layout"
        case groupInfo: return "group info"
        case filterPipeline: return "filter pipeline"
        case attribute: return "attribute"
        case symbolTable: return "symbol table"
        case attributeInfo: return "attribute info"
        default: return "type \(hex(type))"
        }
    }
}

/// One header message: its type, flags and where its data lies in the file.
struct HeaderMessage {
    let type: UInt16
    let flags: UInt8
    /// Absolute byte range of the message data.
    let data: Range<Int>

    /// Flag bit 1: the data is a reference to a message stored elsewhere (spec §IV.A.2,
    /// "Header Message Flags"). h5py never writes these by default.
    var isShared: Bool { flags & 0x02 != 0 }
    /// Flag bit 7: a reader that does not understand the message must fail.
    var mustBeUnderstood: Bool { flags & 0x80 != 0 }
}

/// An object header, version 1 or 2, with its continuation blocks followed
/// (spec §IV.A.1 "Data Object Header Prefix" and §IV.A.2.q "Object Header Continuation").
struct ObjectHeader {
    let address: UInt64
    let version: Int
    let messages: [HeaderMessage]

    /// Bounds on the work one header may cause. A v1 header counts its messages in
    /// 16 bits; real headers have a handful of blocks.
    static let maximumMessages = 65_535
    static let maximumBlocks = 1_024

    func messages(ofType type: UInt16) -> [HeaderMessage] {
        messages.filter { $0.type == type }
    }

    func firstMessage(ofType type: UInt16) -> HeaderMessage? {
        messages.first { $0.type == type }
    }

    static func read(
        at address: UInt64, image: FileImage, budget: LoadBudget, scope: Scope
    ) throws(HDF5Error) -> ObjectHeader {
        let structure = "object header at \(hex(address))"
        var prefix = try image.cursorToEndOfFile(address: address, scope: scope, structure: structure)
        let signatureBytes = prefix.remaining >= 4 ? Array(image.bytes[prefix.position..<(prefix.position + 4)]) : []
        if signatureBytes == Array("OHDR".utf8) {
            return try readVersion2(prefix: &prefix, address: address, image: image, budget: budget, scope: scope)
        }
        let version = try prefix.readUInt8()
        guard version == 1 else {
            throw scope.error(
                "the \(structure) starts with version byte \(version); a version 1 header starts with 1 and a "
                    + "version 2 header with the signature 'OHDR'; \(damagedFileAdvice)")
        }
        return try readVersion1(prefix: &prefix, address: address, image: image, budget: budget, scope: scope)
    }

    // MARK: Version 1 (spec §IV.A.1.a)

    /// Prefix: version, reserved, message count (2), reference count (4), header size (4),
    /// then padding to 8 bytes. Messages: type (2), size (2), flags (1), reserved (3), data;
    /// each message's size is a multiple of 8 so the next one stays aligned.
    private static func readVersion1(
        prefix: inout ByteCursor, address: UInt64, image: FileImage, budget: LoadBudget, scope: Scope
    ) throws(HDF5Error) -> ObjectHeader {
        try prefix.skip(1)  // reserved
        try prefix.skip(2)  // total number of messages, continuations included; the blocks are walked instead
        try prefix.skip(4)  // object reference count
        let firstBlockSize = try prefix.readUInt32()
        try prefix.skip(4)  // the prefix is padded from 12 to 16 bytes
        let firstBlock = try prefix.take(Int(firstBlockSize))

        var collector = MessageCollector(image: image, budget: budget, scope: scope, headerAddress: address)
        try collector.walk(firstBlock: firstBlock) {
            (block: Range<Int>, collector: inout MessageCollector) throws(HDF5Error) in
            var cursor = ByteCursor(
                bytes: image.bytes, range: block, scope: scope,
                structure: "object header block at byte \(block.lowerBound) of the header at \(hex(address))")
            while cursor.remaining >= 8 {
                let type = try cursor.readUInt16()
                let size = Int(try cursor.readUInt16())
                let flags = try cursor.readUInt8()
                try cursor.skip(3)
                let data = try cursor.take(size)
                try collector.add(HeaderMessage(type: type, flags: flags, data: data))
            }
        }
        return ObjectHeader(address: address, version: 1, messages: collector.messages)
    }

    // MARK: Version 2 (spec §IV.A.1.b)

    /// Prefix: "OHDR", version 2, flags, optional times (16) and attribute phase-change
    /// values (4), size of chunk 0 (1, 2, 4 or 8 bytes per flag bits 0-1), messages, gap,
    /// checksum (4). Messages: type (1), size (2), flags (1), creation order (2, when flag
    /// bit 2 is set), data. Continuation blocks start with "OCHK" and end with a checksum.
    /// Checksums are not verified: every field is bounds-checked on use instead.
    private static func readVersion2(
        prefix: inout ByteCursor, address: UInt64, image: FileImage, budget: LoadBudget, scope: Scope
    ) throws(HDF5Error) -> ObjectHeader {
        try prefix.expectSignature("OHDR")
        let version = try prefix.readUInt8()
        guard version == 2 else {
            throw scope.error(
                "the object header at \(hex(address)) has the 'OHDR' signature but version \(version); "
                    + "expected 2; \(damagedFileAdvice)")
        }
        let flags = try prefix.readUInt8()
        if flags & 0x20 != 0 { try prefix.skip(16) }  // access, modification, change and birth times
        if flags & 0x10 != 0 { try prefix.skip(4) }  // maximum compact / minimum dense attribute counts
        let chunkSize = try prefix.readUnsigned(byteCount: 1 << Int(flags & 0x03))
        let firstBlock = try prefix.take(fileLength: chunkSize)
        try prefix.skip(4)  // checksum
        let tracksCreationOrder = flags & 0x04 != 0
        let messageHeaderSize = tracksCreationOrder ? 6 : 4

        var collector = MessageCollector(image: image, budget: budget, scope: scope, headerAddress: address)
        var isFirst = true
        try collector.walk(firstBlock: firstBlock) {
            (block: Range<Int>, collector: inout MessageCollector) throws(HDF5Error) in
            var cursor = ByteCursor(
                bytes: image.bytes, range: block, scope: scope,
                structure: "object header block at byte \(block.lowerBound) of the header at \(hex(address))")
            if isFirst {
                isFirst = false
            } else {
                // A continuation block: signature, messages, checksum.
                try cursor.expectSignature("OCHK")
                cursor = cursor.subcursor(
                    cursor.position..<max(cursor.position, cursor.end - 4), structure: cursor.structure)
            }
            // Fewer bytes than a message header left: that is the gap before the checksum.
            while cursor.remaining >= messageHeaderSize {
                let type = UInt16(try cursor.readUInt8())
                let size = Int(try cursor.readUInt16())
                let messageFlags = try cursor.readUInt8()
                if tracksCreationOrder { try cursor.skip(2) }
                let data = try cursor.take(size)
                try collector.add(HeaderMessage(type: type, flags: messageFlags, data: data))
            }
        }
        return ObjectHeader(address: address, version: 2, messages: collector.messages)
    }
}

/// Gathers messages block by block and follows continuation messages, refusing to visit
/// a block twice so that a continuation pointing back into its own header cannot loop.
private struct MessageCollector {
    let image: FileImage
    let budget: LoadBudget
    let scope: Scope
    let headerAddress: UInt64
    var messages: [HeaderMessage] = []
    private var pendingBlocks: [Range<Int>] = []
    private var visitedBlockStarts: Set<Int> = []

    init(image: FileImage, budget: LoadBudget, scope: Scope, headerAddress: UInt64) {
        self.image = image
        self.budget = budget
        self.scope = scope
        self.headerAddress = headerAddress
    }

    mutating func walk(
        firstBlock: Range<Int>,
        parseBlock: (Range<Int>, inout MessageCollector) throws(HDF5Error) -> Void
    ) throws(HDF5Error) {
        pendingBlocks = [firstBlock]
        visitedBlockStarts = [firstBlock.lowerBound]
        var blockCount = 0
        while let block = pendingBlocks.popLast() {
            blockCount += 1
            guard blockCount <= ObjectHeader.maximumBlocks else {
                throw scope.error(
                    "the object header at \(hex(headerAddress)) has more than \(ObjectHeader.maximumBlocks) "
                        + "continuation blocks; \(damagedFileAdvice)")
            }
            try parseBlock(block, &self)
        }
    }

    mutating func add(_ message: HeaderMessage) throws(HDF5Error) {
        try budget.spend(message.data.count + 8, reading: "object headers", scope: scope)
        guard messages.count < ObjectHeader.maximumMessages else {
            throw scope.error(
                "the object header at \(hex(headerAddress)) has more than \(ObjectHeader.maximumMessages) "
                    + "messages; \(damagedFileAdvice)")
        }
        if message.type == MessageType.continuation {
            try queueContinuation(message)
        } else {
            messages.append(message)
        }
    }

    /// Continuation message: offset (8) and length (8) of the next block (spec §IV.A.2.q).
    private mutating func queueContinuation(_ message: HeaderMessage) throws(HDF5Error) {
        var cursor = ByteCursor(
            bytes: image.bytes, range: message.data, scope: scope,
            structure: "continuation message in the object header at \(hex(headerAddress))")
        let address = try cursor.readAddress()
        let length = try cursor.readLength()
        let block = try image.range(
            address: address, length: length, scope: scope,
            structure: "continuation block of the object header at \(hex(headerAddress))")
        guard visitedBlockStarts.insert(block.lowerBound).inserted else {
            throw scope.error(
                "the object header at \(hex(headerAddress)) continues at \(hex(address)), a block it has "
                    + "already read: its continuation messages form a loop; \(damagedFileAdvice)")
        }
        // Blocks are read in file order of discovery; order matters only for listing
        // attributes, and HDF5 appends continuation blocks after the ones that point to them.
        pendingBlocks.insert(block, at: 0)
    }
}
