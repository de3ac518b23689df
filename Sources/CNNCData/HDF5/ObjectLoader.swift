/// Reads the whole object tree of a file, from the root group down, when it is opened.
///
/// Everything except dataset values is decoded here: group members, attributes, and each
/// dataset's shape, type and storage. A dataset whose values cannot be read (chunked,
/// big-endian, ...) is still listed; the refusal is kept and thrown, by name, when its
/// values are asked for. Problems with the structure itself (a damaged B-tree, a group
/// with dense link storage) are thrown here.
final class ObjectLoader {
    let image: FileImage
    let budget: LoadBudget
    private let heap: GlobalHeap
    /// Datasets by object header address: a second hard link to a dataset reuses the
    /// first reading, so links cannot multiply work.
    private var datasetsByAddress: [UInt64: HDF5Dataset] = [:]

    init(image: FileImage) {
        self.image = image
        self.budget = LoadBudget(fileSize: image.bytes.count)
        self.heap = GlobalHeap(image: image, budget: budget)
    }

    func loadRoot(headerAddress: UInt64) throws(HDF5Error) -> HDF5Group {
        let scope = Scope(filePath: image.path, object: describeGroup("/"))
        let header = try ObjectHeader.read(at: headerAddress, image: image, budget: budget, scope: scope)
        guard isGroup(header) else {
            throw scope.error(
                "the root object (header at \(hex(headerAddress))) is not a group; \(damagedFileAdvice)")
        }
        return try loadGroup(header: header, path: "/", depth: 0)
    }

    // MARK: Groups

    /// A group is old-style (symbol table message) or new-style (link info, group info or
    /// link messages), spec §IV.A.2.
    private func isGroup(_ header: ObjectHeader) -> Bool {
        header.messages.contains { message in
            [MessageType.symbolTable, MessageType.linkInfo, MessageType.groupInfo, MessageType.link]
                .contains(message.type)
        }
    }

    private func loadGroup(header: ObjectHeader, path: String, depth: Int) throws(HDF5Error) -> HDF5Group {
        let scope = Scope(filePath: image.path, object: describeGroup(path))
        guard depth <= LoadBudget.maximumGroupDepth else {
            throw scope.refusal(
                "is nested \(depth) groups deep; cnnc reads at most \(LoadBudget.maximumGroupDepth) levels; "
                    + damagedFileAdvice)
        }
        try budget.claimGroup(at: header.address, path: path, scope: scope)
        try refuseUnknownRequiredMessages(header, scope: scope)
        let attributes = try AttributeReader(image: image, heap: heap, budget: budget, ownerScope: scope)
            .attributes(of: header)

        let links: [GroupLink]
        if let symbolTable = header.firstMessage(ofType: MessageType.symbolTable) {
            guard !symbolTable.isShared else {
                throw scope.refusal("has a shared symbol table message; cnnc reads unshared messages only")
            }
            links = try SymbolTableGroup(image: image, scope: scope, budget: budget)
                .links(symbolTableMessage: symbolTable)
        } else {
            links = try CompactLinkGroup(image: image, scope: scope).links(in: header)
        }

        var members: [HDF5Group.Member] = []
        members.reserveCapacity(links.count)
        for link in links {
            let memberPath = childPath(parent: path, name: link.name)
            switch link.target {
            case .object(let address):
                members.append(try loadMember(at: address, path: memberPath, depth: depth + 1))
            case .softLink(let target):
                members.append(.other(name: link.name, description: "a soft link to '\(target)'"))
            case .externalLink:
                members.append(.other(name: link.name, description: "an external link"))
            case .unknownLinkType(let type):
                members.append(.other(name: link.name, description: "a link of unknown type \(type)"))
            }
        }
        return HDF5Group(path: path, attributes: attributes, filePath: image.path, members: members)
    }

    private func loadMember(at address: UInt64, path: String, depth: Int) throws(HDF5Error) -> HDF5Group.Member {
        if let dataset = datasetsByAddress[address] {
            return .dataset(dataset.renamed(to: path))
        }
        let scope = Scope(filePath: image.path, object: describeObject(path))
        guard address != FileImage.undefinedAddress else {
            throw scope.error("its link points to an undefined address; \(damagedFileAdvice)")
        }
        let header = try ObjectHeader.read(at: address, image: image, budget: budget, scope: scope)
        if isGroup(header) {
            return .group(try loadGroup(header: header, path: path, depth: depth))
        }
        if header.firstMessage(ofType: MessageType.dataLayout) != nil
            || header.firstMessage(ofType: MessageType.dataspace) != nil
        {
            let dataset = try loadDataset(header: header, path: path)
            datasetsByAddress[address] = dataset
            return .dataset(dataset)
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if header.firstMessage(ofType: MessageType.datatype) != nil {
            return .other(name: name, description: "a named datatype")
        }
        return .other(name: name, description: "an object that is neither a group nor a dataset")
    }

    // MARK: Datasets

    private func loadDataset(header: ObjectHeader, path: String) throws(HDF5Error) -> HDF5Dataset {
        let scope = Scope(filePath: image.path, object: describeDataset(path))
        try refuseUnknownRequiredMessages(header, scope: scope)
        let dataspace = try decodeRequired(header, MessageType.dataspace, scope: scope) {
            (cursor: inout ByteCursor) throws(HDF5Error) in try Dataspace.decode(&cursor)
        }
        let datatypeMessage = try requiredMessage(header, MessageType.datatype, scope: scope)
        let datatype: Datatype
        if datatypeMessage.isShared {
            // h5py writes a shared datatype message when a dataset uses a committed (named) type.
            datatype = Datatype(element: .unsupported("committed (named) datatype"), size: 1, stringPadding: .nullPadded)
        } else {
            var cursor = ByteCursor(
                bytes: image.bytes, range: datatypeMessage.data, scope: scope, structure: "datatype message")
            datatype = try Datatype.decode(&cursor)
        }
        let layout = try decodeRequired(header, MessageType.dataLayout, scope: scope) {
            (cursor: inout ByteCursor) throws(HDF5Error) in try DataLayout.decode(&cursor)
        }
        let attributes = try AttributeReader(image: image, heap: heap, budget: budget, ownerScope: scope)
            .attributes(of: header)
        let storage = locateValues(header: header, dataspace: dataspace, datatype: datatype, layout: layout)
        return HDF5Dataset(
            path: path, shape: dataspace.shape ?? [], elementType: datatype.element, attributes: attributes,
            filePath: image.path, bytes: image.bytes, storage: storage)
    }

    /// Where the dataset's values are, or why they will be refused. Each refusal completes
    /// the sentence "dataset 'x' ...".
    private func locateValues(
        header: ObjectHeader, dataspace: Dataspace, datatype: Datatype, layout: DataLayout
    ) -> HDF5Dataset.Storage {
        let rewrite = "re-save the weights with h5py or Keras defaults (no chunks=, compression= or external=)"
        if header.firstMessage(ofType: MessageType.externalDataFiles) != nil {
            return .refused(
                "keeps its values in external files (external data files message 0x07); cnnc reads values "
                    + "stored inside the HDF5 file only; \(rewrite)")
        }
        guard let shape = dataspace.shape else {
            return .refused("has an empty (null) dataspace: it holds no values, not even a scalar")
        }
        guard let needed = dataspace.byteCount(of: datatype) else {
            return .refused("has shape \(shape), too many elements of \(datatype.size) bytes to address; "
                + damagedFileAdvice)
        }
        let sizeText = "shape \(shape) of \(datatype.element) needs \(needed) bytes"
        switch layout {
        case .compact(let range):
            guard range.count >= needed else {
                return .refused(
                    "stores \(range.count) bytes of compact data but its \(sizeText); \(damagedFileAdvice)")
            }
            return .bytes(range.lowerBound..<(range.lowerBound + needed))
        case .contiguous(let address, let size):
            if needed == 0 {
                return .bytes(0..<0)
            }
            guard address != FileImage.undefinedAddress else {
                return .refused(
                    "has no values: its storage was never written (data address undefined, \(sizeText)); "
                        + "h5py would return the fill value, cnnc refuses; write the dataset's values before saving")
            }
            if let size, size < UInt64(needed) {
                return .refused(
                    "stores \(size) bytes of contiguous data but its \(sizeText); \(damagedFileAdvice)")
            }
            let scope = Scope(filePath: image.path, object: "dataset")
            guard let range = try? image.range(
                address: address, length: UInt64(needed), scope: scope, structure: "data")
            else {
                return .refused(
                    "keeps its \(needed) bytes of data at address \(hex(address)), beyond the end of the file "
                        + "(\(image.bytes.count) bytes); \(damagedFileAdvice)")
            }
            return .bytes(range)
        case .chunked:
            var filters = ""
            if let pipeline = header.firstMessage(ofType: MessageType.filterPipeline) {
                var cursor = ByteCursor(
                    bytes: image.bytes, range: pipeline.data,
                    scope: Scope(filePath: image.path, object: "dataset"), structure: "filter pipeline message")
                if let names = FilterPipeline.filterNames(&cursor), !names.isEmpty {
                    filters = " compressed or filtered with " + names.joined(separator: ", ")
                } else {
                    filters = " with a filter pipeline"
                }
            }
            return .refused(
                "uses chunked storage (layout class 2)\(filters); cnnc reads contiguous and compact datasets "
                    + "only; \(rewrite)")
        case .virtual:
            return .refused(
                "is a virtual dataset (layout class 3) made of other datasets; cnnc reads contiguous and compact "
                    + "datasets only; \(rewrite)")
        case .unknownClass(let layoutClass):
            return .refused(
                "has data layout class \(layoutClass), which HDF5 does not define; \(damagedFileAdvice)")
        case .unknownVersion(let version):
            return .refused(
                "has a data layout message of version \(version); cnnc reads versions 1 to 5; \(rewrite)")
        }
    }

    // MARK: Messages

    private func requiredMessage(_ header: ObjectHeader, _ type: UInt16, scope: Scope) throws(HDF5Error) -> HeaderMessage {
        guard let message = header.firstMessage(ofType: type) else {
            throw scope.error(
                "its object header at \(hex(header.address)) has no \(MessageType.name(type)) message, which "
                    + "every dataset has; \(damagedFileAdvice)")
        }
        return message
    }

    private func decodeRequired<T>(
        _ header: ObjectHeader, _ type: UInt16, scope: Scope,
        _ decode: (inout ByteCursor) throws(HDF5Error) -> T
    ) throws(HDF5Error) -> T {
        let message = try requiredMessage(header, type, scope: scope)
        guard !message.isShared else {
            throw scope.refusal(
                "has a shared \(MessageType.name(type)) message (header message flag 0x02); cnnc reads unshared "
                    + "messages only, as h5py writes them by default")
        }
        var cursor = ByteCursor(
            bytes: image.bytes, range: message.data, scope: scope, structure: "\(MessageType.name(type)) message")
        return try decode(&cursor)
    }

    /// A message type this reader does not know, flagged "fail if unknown" (flag bit 7),
    /// changes what the object means; refuse it rather than misread the object.
    private func refuseUnknownRequiredMessages(_ header: ObjectHeader, scope: Scope) throws(HDF5Error) {
        if let message = header.messages.first(where: { $0.type > MessageType.highestKnown && $0.mustBeUnderstood }) {
            throw scope.refusal(
                "has a header message of unknown type \(hex(message.type)) that readers must understand; "
                    + "cnnc reads the message types of HDF5 1.8 to 2.0")
        }
    }
}
