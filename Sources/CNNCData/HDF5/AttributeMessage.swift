/// Decodes the attribute messages of one object header (spec §IV.A.2.m) into values.
///
/// The three versions differ in padding, which is easy to get wrong:
///  - version 1: version, reserved (1), name size (2), datatype size (2), dataspace size
///    (2); the name, datatype and dataspace are each padded to a multiple of 8 bytes;
///  - version 2: version, flags (1), the same three sizes; nothing is padded;
///  - version 3: as version 2, then the name's character set (1); nothing is padded.
/// The sizes count the unpadded fields; the name size includes its NUL. The data fills
/// the rest of the message.
struct AttributeReader {
    let image: FileImage
    let heap: GlobalHeap
    let budget: LoadBudget
    /// Names the owning group or dataset.
    let ownerScope: Scope

    func attributes(of header: ObjectHeader) throws(HDF5Error) -> [HDF5Attribute] {
        if let info = header.firstMessage(ofType: MessageType.attributeInfo) {
            try refuseDenseStorage(attributeInfo: info)
        }
        var attributes: [HDF5Attribute] = []
        for message in header.messages(ofType: MessageType.attribute) {
            guard !message.isShared else {
                throw ownerScope.refusal(
                    "has a shared attribute message (header message flag 0x02); cnnc reads unshared messages "
                        + "only, as h5py writes them by default")
            }
            attributes.append(try decode(message))
        }
        return attributes
    }

    /// Attribute info (spec §IV.A.2.v): version 0, flags, maximum creation index (2, flag
    /// bit 0), fractal heap address (8), ... A defined heap address means some attributes
    /// live outside the header ("dense" storage).
    private func refuseDenseStorage(attributeInfo message: HeaderMessage) throws(HDF5Error) {
        var cursor = ByteCursor(
            bytes: image.bytes, range: message.data, scope: ownerScope, structure: "attribute info message")
        let version = try cursor.readUInt8()
        guard version == 0 else {
            throw ownerScope.error(
                "its attribute info message has version \(version); expected 0; \(damagedFileAdvice)")
        }
        let flags = try cursor.readUInt8()
        if flags & 0x01 != 0 { try cursor.skip(2) }
        let heapAddress = try cursor.readAddress()
        guard heapAddress == FileImage.undefinedAddress else {
            throw ownerScope.refusal(
                "stores its attributes densely, in a fractal heap at \(hex(heapAddress)); cnnc reads attributes "
                    + "kept in the object header only; HDF5 moves them to a heap when a libver='latest' object "
                    + "has more than 8 attributes or one larger than 64 KB; re-save the weights with h5py's "
                    + "default libver")
        }
    }

    private func decode(_ message: HeaderMessage) throws(HDF5Error) -> HDF5Attribute {
        var cursor = ByteCursor(
            bytes: image.bytes, range: message.data, scope: ownerScope, structure: "attribute message")
        let version = try cursor.readUInt8()
        guard (1...3).contains(version) else {
            throw ownerScope.error(
                "an attribute message has version \(version); expected 1, 2 or 3; \(damagedFileAdvice)")
        }
        let flags = try cursor.readUInt8()  // reserved in version 1
        let nameSize = Int(try cursor.readUInt16())
        let datatypeSize = Int(try cursor.readUInt16())
        let dataspaceSize = Int(try cursor.readUInt16())
        if version == 3 { try cursor.skip(1) }  // name character set: ASCII or UTF-8 both decode as UTF-8

        func paddedSize(_ size: Int) -> Int { version == 1 ? (roundUpToMultipleOf8(size) ?? size) : size }
        let nameField = try cursor.take(paddedSize(nameSize))
        let nameBytes = image.bytes[nameField.lowerBound..<(nameField.lowerBound + nameSize)]
        let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
        let scope = ownerScope.named("attribute '\(name)' of \(ownerScope.object)")

        let datatypeField = try cursor.take(paddedSize(datatypeSize))
        let dataspaceField = try cursor.take(paddedSize(dataspaceSize))
        let data = try cursor.take(cursor.remaining)

        var datatypeCursor = ByteCursor(
            bytes: image.bytes, range: datatypeField.lowerBound..<(datatypeField.lowerBound + datatypeSize),
            scope: scope, structure: "datatype of the attribute")
        var dataspaceCursor = ByteCursor(
            bytes: image.bytes, range: dataspaceField.lowerBound..<(dataspaceField.lowerBound + dataspaceSize),
            scope: scope, structure: "dataspace of the attribute")
        let dataspace = try Dataspace.decode(&dataspaceCursor)
        let shape = dataspace.shape ?? []

        // Flags bits 0 and 1 (versions 2 and 3): the datatype or dataspace is shared.
        if version >= 2, flags & 0x03 != 0 {
            return HDF5Attribute(name: name, shape: shape, value: .unsupported("shared (committed) datatype or dataspace"))
        }
        guard dataspace.shape != nil else {
            return HDF5Attribute(name: name, shape: [], value: .unsupported("empty value (null dataspace, h5py.Empty)"))
        }
        let datatype = try Datatype.decode(&datatypeCursor)
        guard let needed = dataspace.byteCount(of: datatype), needed <= data.count else {
            throw scope.error(
                "its shape \(shape) of \(datatype.element) needs more bytes than the \(data.count) its message "
                    + "holds; \(damagedFileAdvice)")
        }
        let values = data.lowerBound..<(data.lowerBound + needed)
        return HDF5Attribute(name: name, shape: shape, value: try decodeValue(values, datatype: datatype, scope: scope))
    }

    private func decodeValue(_ range: Range<Int>, datatype: Datatype, scope: Scope) throws(HDF5Error) -> HDF5Attribute.Value {
        let bytes = image.bytes
        switch datatype.element {
        case .float:
            return .floats(ElementDecoding.doubles(bytes, range: range, element: datatype.element) ?? [])
        case .signedInteger, .unsignedInteger:
            guard let values = ElementDecoding.integers(bytes, range: range, element: datatype.element) else {
                return .unsupported("uint64 with values above Int64.max")
            }
            return .integers(values)
        case .fixedLengthString:
            return .strings(
                ElementDecoding.fixedLengthStrings(
                    bytes, range: range, size: datatype.size, padding: datatype.stringPadding))
        case .variableLengthString:
            return .strings(
                try ElementDecoding.variableLengthStrings(
                    bytes, range: range, heap: heap, budget: budget, scope: scope))
        case .unsupported(let what):
            return .unsupported(what)
        }
    }
}
