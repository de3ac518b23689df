/// One member of a group, as the group's link storage records it.
struct GroupLink {
    let name: String
    let target: LinkTarget
    /// Present when the group tracks creation order (new-style groups only).
    let creationOrder: UInt64?
}

enum LinkTarget {
    /// A hard link: the member's object header address.
    case object(UInt64)
    case softLink(String)
    case externalLink
    case unknownLinkType(UInt8)
}

/// Reads the members of an old-style group: the symbol table message (spec §IV.A.2.r)
/// names a version 1 B-tree of node type 0 (spec §III.A.1) whose leaves point to symbol
/// table nodes (spec §III.B), whose entries (spec §III.C) hold each member's name, as an
/// offset into the group's local heap (spec §III.D), and its object header address.
///
/// Entries come out in the B-tree's order, which is the order of the names' bytes:
/// the order h5py lists them in.
struct SymbolTableGroup {
    let image: FileImage
    let scope: Scope
    let budget: LoadBudget

    /// Symbol table message: v1 B-tree address (8), local heap address (8).
    func links(symbolTableMessage message: HeaderMessage) throws(HDF5Error) -> [GroupLink] {
        var cursor = ByteCursor(
            bytes: image.bytes, range: message.data, scope: scope, structure: "symbol table message")
        let bTreeAddress = try cursor.readAddress()
        let heapAddress = try cursor.readAddress()
        let heap = try LocalHeap.read(at: heapAddress, image: image, scope: scope)
        var links: [GroupLink] = []
        try walkNode(at: bTreeAddress, expectedLevel: nil, heap: heap, into: &links)
        return links
    }

    /// A B-tree node: "TREE", node type (1), level (1), entries used (2), left and right
    /// sibling addresses (8 each), then key 0, child 0, key 1, child 1, ... key N. For group
    /// nodes a key is a heap offset (8 bytes); children of level-0 nodes are symbol table
    /// nodes, children of level-n nodes are level n-1 nodes.
    private func walkNode(
        at address: UInt64, expectedLevel: Int?, heap: LocalHeap, into links: inout [GroupLink]
    ) throws(HDF5Error) {
        let structure = "B-tree node at \(hex(address))"
        var cursor = try image.cursorToEndOfFile(address: address, scope: scope, structure: structure)
        try budget.claimNode(at: cursor.start, structure: structure, scope: scope)
        try cursor.expectSignature("TREE")
        let nodeType = try cursor.readUInt8()
        guard nodeType == 0 else {
            throw scope.error(
                "the \(structure) has node type \(nodeType) (1 indexes chunked raw data); a group's B-tree "
                    + "has node type 0; \(damagedFileAdvice)")
        }
        let level = Int(try cursor.readUInt8())
        if let expectedLevel, level != expectedLevel {
            throw scope.error(
                "the \(structure) has level \(level) but its parent node expects level \(expectedLevel); "
                    + damagedFileAdvice)
        }
        guard level <= LoadBudget.maximumBTreeLevel else {
            throw scope.error(
                "the \(structure) claims to be \(level) levels above the leaves; no group is that large; "
                    + damagedFileAdvice)
        }
        budget.noteBTreeLevel(level)
        let entriesUsed = Int(try cursor.readUInt16())
        try budget.spend(entriesUsed * 16, reading: "group B-tree", scope: scope)
        try cursor.skip(8 + 8)  // siblings: the walk goes top-down, so they are not needed
        var children: [UInt64] = []
        children.reserveCapacity(min(entriesUsed, cursor.remaining / 16))
        for _ in 0..<entriesUsed {
            try cursor.skip(8)  // key: heap offset of the largest name in the child below it
            children.append(try cursor.readAddress())
        }
        for child in children {
            if level == 0 {
                try readSymbolTableNode(at: child, heap: heap, into: &links)
            } else {
                try walkNode(at: child, expectedLevel: level - 1, heap: heap, into: &links)
            }
        }
    }

    /// A symbol table node: "SNOD", version 1, reserved (1), number of symbols (2), then
    /// that many 40-byte entries: link name offset (8), object header address (8), cache
    /// type (4), reserved (4), scratch pad (16).
    private func readSymbolTableNode(
        at address: UInt64, heap: LocalHeap, into links: inout [GroupLink]
    ) throws(HDF5Error) {
        let structure = "symbol table node at \(hex(address))"
        var cursor = try image.cursorToEndOfFile(address: address, scope: scope, structure: structure)
        try budget.claimNode(at: cursor.start, structure: structure, scope: scope)
        try cursor.expectSignature("SNOD", version: 1)
        try cursor.skip(1)
        let count = Int(try cursor.readUInt16())
        try budget.spend(count * 40, reading: "symbol table", scope: scope)
        for _ in 0..<count {
            let nameOffset = try cursor.readLength()
            let objectAddress = try cursor.readAddress()
            let cacheType = try cursor.readUInt32()
            try cursor.skip(4)
            var scratch = cursor.subcursor(try cursor.take(16), structure: "scratch pad in the \(structure)")
            let name = try heap.string(
                atOffset: nameOffset, image: image, scope: scope, purpose: "link name in the \(structure)")
            if cacheType == 2 {
                // Cache type 2: a soft link, whose value is a heap string at the offset in the scratch pad.
                let valueOffset = UInt64(try scratch.readUInt32())
                let value = try heap.string(
                    atOffset: valueOffset, image: image, scope: scope, purpose: "value of soft link '\(name)'")
                links.append(GroupLink(name: name, target: .softLink(value), creationOrder: nil))
            } else {
                links.append(GroupLink(name: name, target: .object(objectAddress), creationOrder: nil))
            }
        }
    }
}
