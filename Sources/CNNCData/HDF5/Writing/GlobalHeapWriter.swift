/// Where a variable-length string's bytes are: a global heap collection and the
/// object's index in it (spec §III.E, "Global Heap ID").
struct GlobalHeapID: Equatable {
    let collection: Int
    let index: Int
}

/// Places the bytes of variable-length strings in global heap collections (spec
/// §III.E), as HDF5 does for h5py's `str` attributes.
///
/// A collection is "GCOL", version 1, reserved (3), its size (8, header included); then
/// objects: index (2, from 1), reference count (2, 0 as HDF5 writes), reserved (4),
/// size (8), data padded to 8 bytes; then the free space, as an object of index 0 whose
/// size counts its own 16-byte header, when at least 16 bytes remain. Collections are
/// 4096 bytes (HDF5's minimum) unless one object needs more; a new one starts when the
/// current one is full.
struct GlobalHeapWriter {
    static let minimumCollectionSize = 4096
    static let headerSize = 16
    static let objectHeaderSize = 16

    private struct Collection {
        let address: Int
        let size: Int
        var objects: [[UInt8]] = []
        var used = GlobalHeapWriter.headerSize
    }

    private var collections: [Collection] = []

    /// Adds an object and returns its ID; reserves a new collection in `file` when the
    /// current one has no room.
    mutating func insert(_ object: [UInt8], file: inout FileBuffer) throws(HDF5WriteError) -> GlobalHeapID {
        guard let padded = roundedUpTo8(object.count), padded <= FileBuffer.maximumSize else {
            throw HDF5WriteError(message: "a string of \(object.count) bytes is too long for a global heap object")
        }
        let need = Self.objectHeaderSize + padded
        if let last = collections.last, last.size - last.used >= need, last.objects.count < Int(UInt16.max) {
            collections[collections.count - 1].objects.append(object)
            collections[collections.count - 1].used += need
        } else {
            let size = max(Self.minimumCollectionSize, Self.headerSize + need)
            let address = try file.reserve(size, for: "a global heap collection")
            var collection = Collection(address: address, size: size)
            collection.objects.append(object)
            collection.used += need
            collections.append(collection)
        }
        let last = collections[collections.count - 1]
        return GlobalHeapID(collection: last.address, index: last.objects.count)
    }

    /// Writes every collection into the space reserved for it.
    func write(into file: inout FileBuffer) {
        for collection in collections {
            var writer = ByteWriter(capacity: collection.size)
            writer.signature("GCOL")
            writer.u8(1)
            writer.zeros(3)
            writer.address(collection.size)
            for (offset, object) in collection.objects.enumerated() {
                writer.u16(UInt16(offset + 1))
                writer.u16(0)
                writer.zeros(4)
                writer.address(object.count)
                writer.append(object)
                writer.pad(toMultipleOf: 8)
            }
            let free = collection.size - writer.bytes.count
            if free >= Self.objectHeaderSize {
                writer.u16(0)
                writer.u16(0)
                writer.zeros(4)
                writer.address(free)
            }
            writer.zeros(collection.size - writer.bytes.count)
            file.write(writer.bytes, at: collection.address)
        }
    }
}
