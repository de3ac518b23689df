/// A local heap: the block of NUL-terminated link names of one old-style group
/// (spec §III.D). The symbol table entries give each name as an offset into it.
struct LocalHeap {
    let address: UInt64
    /// Absolute byte range of the heap's data segment.
    let dataSegment: Range<Int>

    /// "HEAP", version 0, reserved (3), data segment size (L), offset to the head of the
    /// free list (L), address of the data segment (O).
    static func read(at address: UInt64, image: FileImage, scope: Scope) throws(HDF5Error) -> LocalHeap {
        let structure = "local heap at \(hex(address))"
        var cursor = try image.cursor(address: address, length: 32, scope: scope, structure: structure)
        try cursor.expectSignature("HEAP", version: 0)
        try cursor.skip(3)
        let segmentSize = try cursor.readLength()
        try cursor.skip(8)  // free list: only matters when writing
        let segmentAddress = try cursor.readAddress()
        let segment = try image.range(
            address: segmentAddress, length: segmentSize, scope: scope,
            structure: "data segment of the \(structure)")
        return LocalHeap(address: address, dataSegment: segment)
    }

    /// The NUL-terminated string that starts `offset` bytes into the data segment.
    func string(atOffset offset: UInt64, image: FileImage, scope: Scope, purpose: String) throws(HDF5Error) -> String {
        guard let relative = Int(exactly: offset), relative < dataSegment.count else {
            throw scope.error(
                "the \(purpose) is said to start at offset \(offset) of the local heap at \(hex(address)), "
                    + "whose data segment has only \(dataSegment.count) bytes; \(damagedFileAdvice)")
        }
        let first = dataSegment.lowerBound + relative
        guard let terminator = image.bytes[first..<dataSegment.upperBound].firstIndex(of: 0) else {
            throw scope.error(
                "the \(purpose) at offset \(offset) of the local heap at \(hex(address)) runs to the end of "
                    + "the heap without a terminating NUL; \(damagedFileAdvice)")
        }
        return String(decoding: image.bytes[first..<terminator], as: UTF8.self)
    }
}
