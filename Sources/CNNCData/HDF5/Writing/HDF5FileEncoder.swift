/// Lays a builder's tree out in a file: the superblock, then each object depth-first in
/// name order (a group's header, local heap, B-tree and symbol table nodes, then its
/// members; a dataset's header, then its values), global heap collections where the
/// first string that needs one is met, and finally the superblock's end-of-file address.
struct HDF5FileEncoder {
    let nodes: [HDF5Builder.Node]
    let k: GroupIndex.NodeK
    private var file = FileBuffer()
    private var globalHeap = GlobalHeapWriter()

    init(nodes: [HDF5Builder.Node], k: GroupIndex.NodeK) {
        self.nodes = nodes
        self.k = k
    }

    mutating func encode() throws(HDF5WriteError) -> [UInt8] {
        let superblock = try file.reserve(Superblock0.size, for: "the superblock")
        let root = try writeObject(0, path: [])
        globalHeap.write(into: &file)
        guard let table = root.symbolTable else {
            throw HDF5WriteError(message: "the root object is not a group")
        }
        let encoded = Superblock0.encode(
            k: k, endOfFile: file.bytes.count, rootHeader: root.headerAddress, rootBTree: table.bTree,
            rootLocalHeap: table.localHeap)
        file.write(encoded, at: superblock)
        return file.bytes
    }

    /// Writes the object and everything under it; returns its symbol table entry.
    private mutating func writeObject(_ index: Int, path: [String]) throws(HDF5WriteError) -> GroupIndex.Entry {
        let node = nodes[index]
        var messages: [EncodedMessage] = []
        var attributeMessages: [EncodedMessage] = []
        for attribute in node.attributes {
            let value = Array(attribute.value.utf8)
            let id = try globalHeap.insert(value, file: &file)
            attributeMessages.append(.stringAttribute(name: attribute.name, length: value.count, heapObject: id))
        }

        if let dataset = node.dataset {
            // The layout message is the same size whatever the address: reserve with a
            // placeholder, then write the real one.
            messages = [
                .dataspace(shape: dataset.array.shape), .datatype(of: dataset.array), .fillValue(),
                .contiguousLayout(address: 0, size: 0),
            ] + attributeMessages
            let header = try reserveHeader(messages, path: path)
            var dataAddress: Int?
            if dataset.byteCount > 0 {
                let address = try file.reserve(dataset.byteCount, for: "the values of dataset \(describePath(path))")
                file.write(dataset.array, at: address)
                dataAddress = address
            }
            messages[3] = .contiguousLayout(address: dataAddress, size: dataset.byteCount)
            file.write(ObjectHeaderV1.encode(messages), at: header)
            return GroupIndex.Entry(headerAddress: header, symbolTable: nil)
        }

        let members = node.members.map { (name: Array($0.key.utf8), index: $0.value) }
            .sorted { $0.name.lexicographicallyPrecedes($1.name) }
        var index = try GroupIndex(sortedNames: members.map(\.name), k: k, groupPath: path)
        messages = [.symbolTable(bTree: 0, localHeap: 0)] + attributeMessages
        let header = try reserveHeader(messages, path: path)
        try index.reserve(in: &file, groupPath: path)
        messages[0] = .symbolTable(bTree: index.rootBTreeAddress, localHeap: index.localHeapAddress)
        file.write(ObjectHeaderV1.encode(messages), at: header)
        index.writeHeapAndTree(into: &file)
        var entries: [GroupIndex.Entry] = []
        entries.reserveCapacity(members.count)
        for member in members {
            let name = String(decoding: member.name, as: UTF8.self)
            entries.append(try writeObject(member.index, path: path + [name]))
        }
        index.writeSymbolNodes(entries: entries, into: &file)
        return GroupIndex.Entry(
            headerAddress: header, symbolTable: (bTree: index.rootBTreeAddress, localHeap: index.localHeapAddress))
    }

    private mutating func reserveHeader(_ messages: [EncodedMessage], path: [String]) throws(HDF5WriteError) -> Int {
        guard let size = ObjectHeaderV1.size(of: messages) else {
            throw HDF5WriteError(message: "the object header of \(describePath(path)) is too large (too many attributes)")
        }
        return try file.reserve(size, for: "the object header of \(describePath(path))")
    }
}
