/// Reads objects from global heap collections (spec §III.E), where HDF5 keeps the bytes
/// of variable-length strings. h5py writes Python `str` attributes this way, Keras 3's
/// `name` attribute among them.
///
/// A collection is read once and its object table kept, because many strings usually
/// share one collection.
final class GlobalHeap {
    private let image: FileImage
    private let budget: LoadBudget
    private var collections: [UInt64: [UInt32: Range<Int>]] = [:]

    init(image: FileImage, budget: LoadBudget) {
        self.image = image
        self.budget = budget
    }

    /// The bytes of object `index` of the collection at `address`.
    func object(collection address: UInt64, index: UInt32, scope: Scope) throws(HDF5Error) -> Range<Int> {
        let objects: [UInt32: Range<Int>]
        if let cached = collections[address] {
            objects = cached
        } else {
            objects = try readCollection(at: address, scope: scope)
            collections[address] = objects
        }
        guard let range = objects[index] else {
            throw scope.error(
                "it refers to object \(index) of the global heap collection at \(hex(address)), which has "
                    + "no such object; \(damagedFileAdvice)")
        }
        return range
    }

    /// Collection: "GCOL", version 1, reserved (3), collection size (8, header included);
    /// then objects: index (2), reference count (2), reserved (4), size (8), data padded to
    /// a multiple of 8. Index 0 marks the free space at the end.
    private func readCollection(at address: UInt64, scope: Scope) throws(HDF5Error) -> [UInt32: Range<Int>] {
        let structure = "global heap collection at \(hex(address))"
        var header = try image.cursor(address: address, length: 16, scope: scope, structure: structure)
        try header.expectSignature("GCOL", version: 1)
        try header.skip(3)
        let size = try header.readLength()
        guard size >= 16 else {
            throw scope.error("the \(structure) says it is \(size) bytes long, less than its own header; "
                + damagedFileAdvice)
        }
        var cursor = try image.cursor(address: address, length: size, scope: scope, structure: structure)
        try budget.spend(cursor.remaining, reading: "global heap", scope: scope)
        try cursor.skip(16)
        var objects: [UInt32: Range<Int>] = [:]
        while cursor.remaining >= 16 {
            let index = try cursor.readUInt16()
            try cursor.skip(2 + 4)  // reference count, reserved
            let objectSize = try cursor.readLength()
            if index == 0 { break }
            let data = try cursor.take(fileLength: objectSize)
            if objects[UInt32(index)] == nil {
                objects[UInt32(index)] = data
            }
            // The padding of the last object may be cut off by the collection's end.
            let padding = (8 - data.count % 8) % 8
            guard padding <= cursor.remaining else { break }
            try cursor.skip(padding)
        }
        return objects
    }
}
