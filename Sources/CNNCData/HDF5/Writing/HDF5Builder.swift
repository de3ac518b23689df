/// Builds an HDF5 file in memory: groups, datasets and string attributes, written as
/// h5py writes them by default (superblock version 0, version 1 object headers,
/// old-style groups, contiguous little-endian datasets, variable-length UTF-8 string
/// attributes). The bytes depend on the contents only: no timestamps, and members are
/// laid out in name order whatever order they were added in.
///
/// Paths are written as h5py takes them: "layers/conv2d/vars", with or without a
/// leading "/"; "" and "/" are the root group.
public struct HDF5Builder: Sendable {
    struct Node: Sendable {
        /// nil for a group.
        var dataset: (array: HDF5Array, byteCount: Int)?
        /// A group's members by name: indices into `nodes`.
        var members: [String: Int] = [:]
        /// In the order they were first set.
        var attributes: [(name: String, value: String)] = []

        var isGroup: Bool { dataset == nil }

        static let group = Node()
    }

    /// nodes[0] is the root group.
    private(set) var nodes: [Node] = [.group]

    /// The size of group index nodes. Tests make them small to build deep B-trees from
    /// few members; every file cnnc writes keeps HDF5's defaults, as h5py does.
    var groupNodeK = GroupIndex.NodeK.hdf5Default

    public init() {}

    /// Creates the group at `path` and any missing groups above it. Creating a group
    /// that exists is an error, as in h5py.
    public mutating func createGroup(_ path: String) throws(HDF5WriteError) {
        let components = try Self.components(of: path)
        guard !components.isEmpty else {
            throw HDF5WriteError(message: "the root group '/' always exists; it cannot be created")
        }
        let parent = try requireGroup(Array(components.dropLast()))
        try addMember(components, to: parent, .group)
    }

    /// Creates a dataset at `path` holding `array`, and any missing groups above it.
    public mutating func createDataset(_ path: String, _ array: HDF5Array) throws(HDF5WriteError) {
        let components = try Self.components(of: path)
        guard !components.isEmpty else {
            throw HDF5WriteError(message: "a dataset needs a name; '\(path)' is the root group")
        }
        let byteCount = try array.validatedByteCount(path: components)
        let parent = try requireGroup(Array(components.dropLast()))
        try addMember(components, to: parent, Node(dataset: (array, byteCount)))
    }

    /// Sets a string attribute on the group or dataset at `path`, replacing one of the
    /// same name (as h5py's `attrs[name] = value` does). The value is stored as a
    /// variable-length UTF-8 string.
    public mutating func setAttribute(_ name: String, _ value: String, on path: String) throws(HDF5WriteError) {
        let components = try Self.components(of: path)
        let owner = try node(at: components)
        try Self.validateAttribute(name: name, value: value, owner: components)
        if let existing = nodes[owner].attributes.firstIndex(where: { $0.name == name }) {
            nodes[owner].attributes[existing].value = value
        } else {
            nodes[owner].attributes.append((name, value))
        }
    }

    /// The file.
    public func bytes() throws(HDF5WriteError) -> [UInt8] {
        var encoder = HDF5FileEncoder(nodes: nodes, k: groupNodeK)
        return try encoder.encode()
    }

    // MARK: Paths

    /// A path's link names. Each must be a name HDF5 can store and look up: not empty
    /// (no "//" or trailing "/"), not ".", no NUL byte.
    static func components(of path: String) throws(HDF5WriteError) -> [String] {
        var text = Substring(path)
        if text.hasPrefix("/") { text = text.dropFirst() }
        guard !text.isEmpty else { return [] }
        let components = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for component in components {
            try validateLinkName(component, in: path)
        }
        return components
    }

    static func validateLinkName(_ name: String, in path: String) throws(HDF5WriteError) {
        if name.isEmpty {
            throw HDF5WriteError(message: "the path '\(path)' has an empty name (a '//' or a trailing '/')")
        }
        if name == "." {
            throw HDF5WriteError(message: "the path '\(path)' has a member named '.', which HDF5 reads as the group itself")
        }
        if name.utf8.contains(0) {
            throw HDF5WriteError(message: "the path '\(path)' has a name with a NUL character, which HDF5 names cannot hold")
        }
    }

    /// Attribute names are ASCII: a version 1 attribute message, which h5py writes for
    /// ASCII names, records no character set. The value is read back as a C string, so
    /// it cannot hold NUL either.
    static func validateAttribute(name: String, value: String, owner: [String]) throws(HDF5WriteError) {
        let place = "on \(describePath(owner))"
        guard !name.isEmpty else {
            throw HDF5WriteError(message: "an attribute \(place) needs a name")
        }
        guard name.utf8.allSatisfy({ $0 != 0 && $0 < 0x80 }), name.utf8.count < 0x8000 else {
            throw HDF5WriteError(
                message: "attribute '\(name)' \(place): attribute names must be ASCII, without NUL, under 32 KiB")
        }
        guard !value.utf8.contains(0), value.utf8.count <= Int(UInt32.max) else {
            throw HDF5WriteError(
                message: "attribute '\(name)' \(place): the value must not contain NUL and must be under 4 GiB")
        }
    }

    // MARK: Tree

    private func node(at components: [String]) throws(HDF5WriteError) -> Int {
        var current = 0
        for (depth, component) in components.enumerated() {
            guard nodes[current].isGroup else {
                throw HDF5WriteError(message: "\(describePath(Array(components[..<depth]))) is a dataset, not a group")
            }
            guard let next = nodes[current].members[component] else {
                throw HDF5WriteError(message: "there is no \(describePath(Array(components[...depth])))")
            }
            current = next
        }
        return current
    }

    /// The group at `components`, created with its missing ancestors.
    private mutating func requireGroup(_ components: [String]) throws(HDF5WriteError) -> Int {
        var current = 0
        for (depth, component) in components.enumerated() {
            guard nodes[current].isGroup else {
                throw HDF5WriteError(message: "\(describePath(Array(components[..<depth]))) is a dataset, not a group")
            }
            if let next = nodes[current].members[component] {
                current = next
            } else {
                current = try addMember(Array(components[...depth]), to: current, .group)
            }
        }
        guard nodes[current].isGroup else {
            throw HDF5WriteError(message: "\(describePath(components)) is a dataset, not a group")
        }
        return current
    }

    @discardableResult
    private mutating func addMember(_ components: [String], to parent: Int, _ node: Node) throws(HDF5WriteError) -> Int {
        guard nodes[parent].isGroup, let name = components.last else {
            throw HDF5WriteError(message: "\(describePath(Array(components.dropLast()))) is not a group")
        }
        guard nodes[parent].members[name] == nil else {
            throw HDF5WriteError(message: "\(describePath(components)) already exists")
        }
        nodes.append(node)
        nodes[parent].members[name] = nodes.count - 1
        return nodes.count - 1
    }
}
