import Foundation
@testable import CNNCData
import Testing

/// What the writer writes, read back with cnnc's reader: every group, dataset (shape,
/// type, values) and attribute, and nothing else.
@Suite struct RoundTripTests {
    /// One of everything: nested groups, an empty group, float32, int32 and int64
    /// datasets, scalars, an empty dataset, special float values, non-ASCII names,
    /// attributes on the root, groups and datasets, an empty attribute value.
    static func everything() throws -> (HDF5Builder, Snapshot) {
        let datasets: [String: HDF5Array] = [
            "layers/conv2d/vars/0": .float32(shape: [3, 3, 1, 2], (0..<18).map { Float($0) * 0.25 - 2 }),
            "layers/conv2d/vars/1": .float32(shape: [2], [0.5, -0.5]),
            "optimizer/vars/0": .int32(shape: [], [7]),
            "optimizer/vars/1": .float32(shape: [], [0.001]),
            "counts": .int64(shape: [3], [Int64.min, 0, Int64.max]),
            "empty rows": .float32(shape: [0, 3], []),
            "specials": .float32(
                shape: [2, 3],
                [.infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .nan]),
            "ünïcödé/名前.weights": .float32(shape: [1, 1, 1, 1, 1], [42]),
        ]
        let groups: [String: [String: String]] = [
            "/": ["title": "root attribute"],
            "layers": [:],
            "layers/conv2d": [:],
            "layers/conv2d/vars": ["name": "conv2d"],
            "optimizer": [:],
            "optimizer/vars": ["name": "adam", "empty": ""],
            "empty group": ["note": "Ünïcödé ✓ and a longer value that needs more than one line of heap"],
            "ünïcödé": [:],
        ]
        let datasetAttributes = ["counts": ["unit": "steps"]]
        var builder = HDF5Builder()
        try builder.createGroup("empty group")
        for (path, array) in datasets {
            try builder.createDataset(path, array)
        }
        for (path, attributes) in groups.merging(datasetAttributes, uniquingKeysWith: { a, _ in a }) {
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                try builder.setAttribute(name, value, on: path)
            }
        }
        return (builder, Snapshot(groups: groups, datasets: datasets, datasetAttributes: datasetAttributes))
    }

    @Test func everyObjectReadsBack() throws {
        let (builder, expected) = try Self.everything()
        let file = try HDF5File(bytes: builder.bytes(), path: "everything.h5")
        let found = try Snapshot(reading: file)
        #expect(found == expected, "found:\n\(found)\nexpected:\n\(expected)")
        #expect(file.superblockVersion == 0)
        #expect(file.deepestGroupBTreeLevel == 0)
        #expect(try file.dataset(at: "optimizer/vars/0").elementType == .signedInteger(bits: 32))
        #expect(try file.dataset(at: "counts").elementType == .signedInteger(bits: 64))
        #expect(try file.dataset(at: "layers/conv2d/vars/0").elementType == .float(bits: 32))
    }

    /// Members come back in the order HDF5 keeps them: by their UTF-8 bytes.
    @Test func membersAreInByteOrder() throws {
        var builder = HDF5Builder()
        let names = ["b", "a", "B", "_", "10", "9", "ä", "z", "Z", "a.b", "a b"]
        for name in names {
            try builder.createGroup(name)
        }
        let file = try HDF5File(bytes: builder.bytes(), path: "order.h5")
        #expect(file.root.children.map(\.name) == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    /// Groups of every size up to a three-level B-tree: 8 names fill one symbol table
    /// node, 256 one leaf B-tree node, 8192 the 32 leaves under one level-1 node; 8193
    /// need a root two levels above the leaves. Members are datasets and groups.
    @Test(arguments: [(0, 0), (1, 0), (8, 0), (9, 0), (256, 0), (257, 1), (1000, 1), (8193, 2)])
    func largeGroups(count: Int, level: Int) throws {
        var builder = HDF5Builder()
        try builder.createGroup("big")
        var expected: [String] = []
        for index in 0..<count {
            // Names whose byte order differs from numeric order.
            let name = "m\(index * 7919 % (count + 1))_\(index)"
            expected.append(name)
            if index % 16 != 0 {
                try builder.createDataset("big/\(name)", .float32(shape: [], [Float(index)]))
            } else {
                try builder.createGroup("big/\(name)")
            }
        }
        try builder.createGroup("next")  // an object laid out after the big group's
        let file = try HDF5File(bytes: builder.bytes(), path: "big.h5")
        let group = try file.group(at: "big")
        #expect(group.children.map(\.name) == expected.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(file.deepestGroupBTreeLevel == level)
        if count > 1 {
            #expect(try file.dataset(at: "big/\(expected[1])").floats() == [1])
            #expect(try file.group(at: "big/\(expected[0])").children.isEmpty)
        }
    }

    /// Small nodes (2 entries per symbol table node, 4 children per B-tree node, as a
    /// superblock may declare) give deep trees from few members.
    @Test(arguments: [(4, 0), (9, 1), (33, 2), (200, 3)])
    func deepTreesFromSmallNodes(count: Int, level: Int) throws {
        let (builder, expected) = try H5pyTests.manyMembers(count: count, k: .init(leaf: 1, internal: 2))
        let file = try HDF5File(bytes: builder.bytes(), path: "deep.h5")
        #expect(try Snapshot(reading: file) == expected)
        #expect(file.deepestGroupBTreeLevel == level)
    }

    @Test func evenChunks() {
        #expect(GroupIndex.evenChunks(count: 0, capacity: 8) == [])
        #expect(GroupIndex.evenChunks(count: 8, capacity: 8) == [0..<8])
        #expect(GroupIndex.evenChunks(count: 9, capacity: 8) == [0..<5, 5..<9])
        #expect(GroupIndex.evenChunks(count: 17, capacity: 8) == [0..<6, 6..<12, 12..<17])
    }
}
