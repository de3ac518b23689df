/// The index of an old-style group's members (spec §III.A.1, §III.B, §III.D), as HDF5
/// builds one for h5py's default format:
///
///  - a local heap holding the members' names, NUL-terminated and padded to 8 bytes,
///    after an empty name at offset 0;
///  - symbol table nodes ("SNOD") of at most 2 × leaf K entries, in name order;
///  - a version 1 B-tree of node type 0 over them: each node has at most 2 ×
///    internal K children, level 0 points at symbol table nodes, level n at nodes of
///    level n − 1. Key i of a node is the heap offset of the largest name in child
///    i − 1's subtree (key 0: that of the subtree before the node, or the empty name),
///    so that HDF5 finds a name by comparing it with the keys.
///
/// Names are ordered by their UTF-8 bytes, as HDF5's `strcmp` orders them. Members are
/// spread evenly over as few nodes as hold them; the tree is as shallow as that allows.
struct GroupIndex {
    /// The superblock's "Group Leaf Node K" and "Group Internal Node K", which set the
    /// size of every group's nodes in the file.
    struct NodeK: Sendable, Equatable {
        var leaf: Int
        var `internal`: Int

        /// HDF5's defaults, which h5py keeps.
        static let hdf5Default = NodeK(leaf: 4, internal: 16)

        var symbolNodeCapacity: Int { 2 * leaf }
        var bTreeNodeCapacity: Int { 2 * `internal` }
        var symbolNodeSize: Int { 8 + symbolNodeCapacity * GroupIndex.entrySize }
        /// "TREE", type, level, entries used (2), two sibling addresses, then 2K + 1 keys
        /// and 2K children of 8 bytes. HDF5 reads the whole node, used or not.
        var bTreeNodeSize: Int { 24 + (2 * bTreeNodeCapacity + 1) * 8 }
    }

    /// Symbol table entry: name offset (8), header address (8), cache type (4),
    /// reserved (4), scratch pad (16).
    static let entrySize = 40
    /// "HEAP", version, reserved (3), data size, free list head, data address.
    static let localHeapHeaderSize = 32
    /// The free list head of a heap without free space (HDF5's H5HL_FREE_NULL).
    static let noFreeBlock: UInt64 = 1

    /// A member as its symbol table entry records it.
    struct Entry {
        let headerAddress: Int
        /// For a member that is a group: its B-tree and local heap, which HDF5 caches in
        /// the entry's scratch pad (cache type 1).
        let symbolTable: (bTree: Int, localHeap: Int)?
    }

    let k: NodeK
    /// Member names (UTF-8), sorted.
    let names: [[UInt8]]
    private let nameOffsets: [Int]
    private let heapDataSize: Int
    /// Member indices of each symbol table node.
    private let symbolNodes: [Range<Int>]
    /// levels[0]: symbol table node indices of each leaf B-tree node; levels[n]: node
    /// indices of level n − 1 of each node of level n. The last level has one node.
    private let levels: [[Range<Int>]]

    private(set) var localHeapAddress = 0
    private var symbolNodeAddresses: [Int] = []
    private var bTreeAddresses: [[Int]] = []

    var rootBTreeAddress: Int { bTreeAddresses.last?.first ?? 0 }

    /// `names` must be sorted by their bytes and distinct.
    init(sortedNames names: [[UInt8]], k: NodeK, groupPath: [String]) throws(HDF5WriteError) {
        self.k = k
        self.names = names
        var offsets: [Int] = []
        var heapSize = 8  // the empty name, padded
        for name in names {
            guard let padded = roundedUpTo8(name.count + 1), heapSize <= FileBuffer.maximumSize - padded else {
                throw HDF5WriteError(message: "the names of group \(describePath(groupPath))'s members are too long")
            }
            offsets.append(heapSize)
            heapSize += padded
        }
        nameOffsets = offsets
        heapDataSize = heapSize
        symbolNodes = Self.evenChunks(count: names.count, capacity: k.symbolNodeCapacity)
        var levels = [Self.evenChunks(count: symbolNodes.count, capacity: k.bTreeNodeCapacity)]
        if levels[0].isEmpty {
            levels[0] = [0..<0]  // an empty group still has a root node, with no children
        }
        while let top = levels.last, top.count > 1 {
            levels.append(Self.evenChunks(count: top.count, capacity: k.bTreeNodeCapacity))
        }
        self.levels = levels
    }

    /// `count` items in as few runs of at most `capacity` as hold them, of sizes that
    /// differ by at most one.
    static func evenChunks(count: Int, capacity: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let chunkCount = (count + capacity - 1) / capacity
        let base = count / chunkCount, extra = count % chunkCount
        var chunks: [Range<Int>] = []
        var start = 0
        for index in 0..<chunkCount {
            let size = base + (index < extra ? 1 : 0)
            chunks.append(start..<(start + size))
            start += size
        }
        return chunks
    }

    /// Places the local heap, the B-tree nodes (root first) and the symbol table nodes.
    mutating func reserve(in file: inout FileBuffer, groupPath: [String]) throws(HDF5WriteError) {
        let what = "the index of group \(describePath(groupPath))"
        localHeapAddress = try file.reserve(Self.localHeapHeaderSize + heapDataSize, for: what)
        bTreeAddresses = Array(repeating: [], count: levels.count)
        for level in levels.indices.reversed() {
            for _ in levels[level] {
                bTreeAddresses[level].append(try file.reserve(k.bTreeNodeSize, for: what))
            }
        }
        symbolNodeAddresses = []
        for _ in symbolNodes {
            symbolNodeAddresses.append(try file.reserve(k.symbolNodeSize, for: what))
        }
    }

    /// Writes the local heap and the B-tree; their contents depend on names only.
    func writeHeapAndTree(into file: inout FileBuffer) {
        var heap = ByteWriter(capacity: Self.localHeapHeaderSize + heapDataSize)
        heap.signature("HEAP")
        heap.u8(0)
        heap.zeros(3)
        heap.address(heapDataSize)
        heap.u64(Self.noFreeBlock)
        heap.address(localHeapAddress + Self.localHeapHeaderSize)
        heap.zeros(8)
        for name in names {
            heap.append(name)
            heap.u8(0)
            heap.pad(toMultipleOf: 8)
        }
        file.write(heap.bytes, at: localHeapAddress)

        for (level, nodes) in levels.enumerated() {
            for (position, children) in nodes.enumerated() {
                file.write(bTreeNode(level: level, position: position, children: children), at: bTreeAddresses[level][position])
            }
        }
    }

    private func bTreeNode(level: Int, position: Int, children: Range<Int>) -> [UInt8] {
        let addresses = bTreeAddresses[level]
        let childAddresses = level == 0 ? symbolNodeAddresses : bTreeAddresses[level - 1]
        var node = ByteWriter(capacity: k.bTreeNodeSize)
        node.signature("TREE")
        node.u8(0)  // node type 0: group nodes
        node.u8(UInt8(level))
        node.u16(UInt16(children.count))
        node.u64(position > 0 ? UInt64(addresses[position - 1]) : ByteWriter.undefinedAddress)
        node.u64(position + 1 < addresses.count ? UInt64(addresses[position + 1]) : ByteWriter.undefinedAddress)
        if !children.isEmpty {
            node.address(keyBefore(level: level, position: position))
            for child in children {
                node.address(childAddresses[child])
                node.address(keyAfter(level: level - 1, position: child))
            }
        }
        node.zeros(k.bTreeNodeSize - node.bytes.count)
        return node.bytes
    }

    /// Heap offset of the largest name before a node's subtree ("" for the first node
    /// of its level). Level −1 is the symbol table nodes.
    private func keyBefore(level: Int, position: Int) -> Int {
        position == 0 ? 0 : keyAfter(level: level, position: position - 1)
    }

    /// Heap offset of the largest name in a node's subtree.
    private func keyAfter(level: Int, position: Int) -> Int {
        var level = level, position = position
        while level >= 0 {
            position = levels[level][position].upperBound - 1
            level -= 1
        }
        return nameOffsets[symbolNodes[position].upperBound - 1]
    }

    /// Writes the symbol table nodes, once every member's header is placed.
    func writeSymbolNodes(entries: [Entry], into file: inout FileBuffer) {
        for (node, members) in symbolNodes.enumerated() {
            var writer = ByteWriter(capacity: k.symbolNodeSize)
            writer.signature("SNOD")
            writer.u8(1)
            writer.u8(0)
            writer.u16(UInt16(members.count))
            for member in members {
                let entry = entries[member]
                writer.address(nameOffsets[member])
                writer.address(entry.headerAddress)
                if let table = entry.symbolTable {
                    writer.u32(1)
                    writer.zeros(4)
                    writer.address(table.bTree)
                    writer.address(table.localHeap)
                } else {
                    writer.u32(0)
                    writer.zeros(4 + 16)
                }
            }
            writer.zeros(k.symbolNodeSize - writer.bytes.count)
            file.write(writer.bytes, at: symbolNodeAddresses[node])
        }
    }
}
