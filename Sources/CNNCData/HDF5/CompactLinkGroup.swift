/// Reads the members of a new-style group whose links are stored compactly, as link
/// messages in the group's own object header (spec §IV.A.2.c "Link Info" and §IV.A.2.g
/// "Link"). HDF5 writes these groups with libver='latest' or when creation order is
/// tracked (h5py's track_order=True). Groups with many links move them to a fractal heap
/// ("dense" storage), which this reader refuses by name.
struct CompactLinkGroup {
    let image: FileImage
    let scope: Scope

    func links(in header: ObjectHeader) throws(HDF5Error) -> [GroupLink] {
        if let info = header.firstMessage(ofType: MessageType.linkInfo) {
            try refuseDenseStorage(linkInfo: info)
        }
        var links: [GroupLink] = []
        for message in header.messages(ofType: MessageType.link) {
            guard !message.isShared else {
                throw scope.refusal(
                    "has a shared link message (header message flag 0x02); cnnc reads unshared messages only, "
                        + "as h5py writes them by default")
            }
            links.append(try decodeLink(message))
        }
        // HDF5 lists a group by creation order when it tracks it, and by name otherwise
        // (h5py does the same), whatever order the messages happen to be in.
        if links.allSatisfy({ $0.creationOrder != nil }) {
            links.sort { ($0.creationOrder ?? 0) < ($1.creationOrder ?? 0) }
        } else {
            links.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        }
        return links
    }

    /// Link info: version 0, flags, maximum creation index (8, flag bit 0), fractal heap
    /// address (8), name index B-tree address (8), creation order index address (8, flag
    /// bit 1). A defined heap address means the links are stored densely.
    private func refuseDenseStorage(linkInfo message: HeaderMessage) throws(HDF5Error) {
        var cursor = ByteCursor(
            bytes: image.bytes, range: message.data, scope: scope, structure: "link info message")
        let version = try cursor.readUInt8()
        guard version == 0 else {
            throw scope.error("its link info message has version \(version); expected 0; \(damagedFileAdvice)")
        }
        let flags = try cursor.readUInt8()
        if flags & 0x01 != 0 { try cursor.skip(8) }
        let heapAddress = try cursor.readAddress()
        guard heapAddress == FileImage.undefinedAddress else {
            throw scope.refusal(
                "stores its links densely, in a fractal heap at \(hex(heapAddress)); cnnc reads groups whose "
                    + "links are in the object header (old-style groups, or compact new-style groups); HDF5 "
                    + "moves links to a heap when a libver='latest' group has more than 8 members; re-save "
                    + "the weights with h5py's default libver")
        }
    }

    /// Link message: version 1, flags, link type (1, flag bit 3; absent means hard),
    /// creation order (8, flag bit 2), name character set (1, flag bit 4), name length
    /// (1, 2, 4 or 8 bytes per flag bits 0-1), name (no NUL), then the link information:
    /// an address for hard links, a length-prefixed path for soft links.
    private func decodeLink(_ message: HeaderMessage) throws(HDF5Error) -> GroupLink {
        var cursor = ByteCursor(bytes: image.bytes, range: message.data, scope: scope, structure: "link message")
        let version = try cursor.readUInt8()
        guard version == 1 else {
            throw scope.error("a link message has version \(version); expected 1; \(damagedFileAdvice)")
        }
        let flags = try cursor.readUInt8()
        var linkType: UInt8 = 0
        if flags & 0x08 != 0 { linkType = try cursor.readUInt8() }
        var creationOrder: UInt64? = nil
        if flags & 0x04 != 0 { creationOrder = try cursor.readUInt64() }
        if flags & 0x10 != 0 { try cursor.skip(1) }  // ASCII or UTF-8: both decode as UTF-8
        let nameLength = try cursor.readUnsigned(byteCount: 1 << Int(flags & 0x03))
        let name = String(decoding: image.bytes[try cursor.take(fileLength: nameLength)], as: UTF8.self)
        let target: LinkTarget
        switch linkType {
        case 0:
            target = .object(try cursor.readAddress())
        case 1:
            let length = Int(try cursor.readUInt16())
            target = .softLink(String(decoding: image.bytes[try cursor.take(length)], as: UTF8.self))
        case 64:
            target = .externalLink
        default:
            target = .unknownLinkType(linkType)
        }
        return GroupLink(name: name, target: target, creationOrder: creationOrder)
    }
}
