/// One member of a group as a caller lists it.
public struct HDF5Child: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case group
        case dataset
        /// Something this reader lists but does not follow; the text says what
        /// ("a soft link to '/x'", "an external link", "a named datatype").
        case other(String)
    }

    public let name: String
    public let kind: Kind
}

/// A group: its attributes and members, read when the file was opened.
public struct HDF5Group: Sendable {
    /// "/" for the root; otherwise the path without a leading slash ("layers/conv2d").
    public let path: String
    /// In the order they are stored (creation order for files h5py writes).
    public let attributes: [HDF5Attribute]

    let filePath: String
    let members: [Member]

    enum Member: Sendable {
        case group(HDF5Group)
        case dataset(HDF5Dataset)
        case other(name: String, description: String)

        var name: String {
            switch self {
            case .group(let group): return group.name
            case .dataset(let dataset): return dataset.name
            case .other(let name, _): return name
            }
        }
    }

    public var name: String {
        path == "/" ? "/" : (path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// Members in the order HDF5 stores them: by name (byte order) for groups h5py writes
    /// by default, by creation order for groups that track it.
    public var children: [HDF5Child] {
        members.map { member in
            switch member {
            case .group(let group): return HDF5Child(name: group.name, kind: .group)
            case .dataset(let dataset): return HDF5Child(name: dataset.name, kind: .dataset)
            case .other(let name, let description): return HDF5Child(name: name, kind: .other(description))
            }
        }
    }

    /// Subgroups, in stored order.
    public var groups: [HDF5Group] {
        members.compactMap { if case .group(let group) = $0 { return group } else { return nil } }
    }

    /// Datasets directly in this group, in stored order.
    public var datasets: [HDF5Dataset] {
        members.compactMap { if case .dataset(let dataset) = $0 { return dataset } else { return nil } }
    }

    public func attribute(_ name: String) throws(HDF5Error) -> HDF5Attribute {
        try lookUpAttribute(name, in: attributes, ownerScope: scope)
    }

    /// The group at `relativePath` ("conv2d/vars"); "" or "/" is this group.
    public func group(_ relativePath: String) throws(HDF5Error) -> HDF5Group {
        let (member, path) = try resolve(relativePath)
        guard let member else { return self }
        switch member {
        case .group(let group): return group
        case .dataset: throw HDF5Error(message: "\(filePath): '\(path)' is a dataset, not a group")
        case .other(_, let description): throw unfollowed(path, description)
        }
    }

    /// The dataset at `relativePath` ("vars/0", or "conv2d/kernel:0" as Keras 2's
    /// `weight_names` give it).
    public func dataset(_ relativePath: String) throws(HDF5Error) -> HDF5Dataset {
        let (member, path) = try resolve(relativePath)
        guard let member else {
            throw HDF5Error(message: "\(filePath): '\(self.path)' is a group, not a dataset")
        }
        switch member {
        case .dataset(let dataset): return dataset
        case .group: throw HDF5Error(message: "\(filePath): '\(path)' is a group, not a dataset")
        case .other(_, let description): throw unfollowed(path, description)
        }
    }

    var scope: Scope {
        Scope(filePath: filePath, object: describeGroup(path))
    }

    /// Walks `relativePath` component by component; nil means the path named this group.
    private func resolve(_ relativePath: String) throws(HDF5Error) -> (Member?, String) {
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !components.isEmpty else { return (nil, path) }
        var current = self
        for (position, component) in components.enumerated() {
            guard let member = current.members.first(where: { $0.name == component }) else {
                throw current.scope.refusal("has no member '\(component)'; \(current.memberList)")
            }
            if position == components.count - 1 {
                return (member, childPath(parent: current.path, name: component))
            }
            switch member {
            case .group(let group):
                current = group
            case .dataset(let dataset):
                throw HDF5Error(message: "\(filePath): '\(dataset.path)' is a dataset, not a group")
            case .other(_, let description):
                throw unfollowed(childPath(parent: current.path, name: component), description)
            }
        }
        return (nil, path)
    }

    private var memberList: String {
        guard !members.isEmpty else { return "it has no members" }
        let shown = members.prefix(20).map { "'\($0.name)'" }.joined(separator: ", ")
        return "its members are " + shown + (members.count > 20 ? " and \(members.count - 20) more" : "")
    }

    private func unfollowed(_ path: String, _ description: String) -> HDF5Error {
        HDF5Error(
            message: "\(filePath): '\(path)' is \(description); cnnc follows hard links to groups and "
                + "datasets only")
    }
}
