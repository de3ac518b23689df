/// A decoded dataspace message (spec §IV.A.2.b): the shape of a dataset or attribute.
struct Dataspace: Sendable {
    /// `nil` for a null dataspace (h5py.Empty): no elements, not even a scalar one.
    let shape: [Int]?
    /// Product of the dimensions; 1 for a scalar, 0 for a null dataspace.
    let elementCount: Int

    /// HDF5 allows at most 32 dimensions.
    static let maximumRank = 32

    /// Version 1: version, rank, flags, reserved (1), reserved (4), dimension sizes (8 each),
    /// then maximum sizes and permutations, which reading does not need. Rank 0 is a scalar.
    /// Version 2: version, rank, flags, type (0 scalar, 1 simple, 2 null), dimension sizes.
    static func decode(_ cursor: inout ByteCursor) throws(HDF5Error) -> Dataspace {
        let version = try cursor.readUInt8()
        let rank = Int(try cursor.readUInt8())
        try cursor.skip(1)  // flags: bit 0 says maximum sizes follow; they do not matter here
        var isNull = false
        switch version {
        case 1:
            try cursor.skip(1 + 4)
        case 2:
            let type = try cursor.readUInt8()
            switch type {
            case 0, 1: break
            case 2: isNull = true
            default:
                throw cursor.scope.error("its dataspace has type \(type); expected 0, 1 or 2; \(damagedFileAdvice)")
            }
        default:
            throw cursor.scope.error(
                "its dataspace message has version \(version); expected 1 or 2; \(damagedFileAdvice)")
        }
        if isNull {
            return Dataspace(shape: nil, elementCount: 0)
        }
        guard rank <= maximumRank else {
            throw cursor.scope.error(
                "its dataspace has \(rank) dimensions; HDF5 allows at most \(maximumRank); \(damagedFileAdvice)")
        }
        var shape: [Int] = []
        var count = 1
        for _ in 0..<rank {
            let size = try cursor.readLength()
            guard let dimension = Int(exactly: size) else {
                throw cursor.scope.error("its dataspace has a dimension of \(size); \(damagedFileAdvice)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw cursor.scope.error(
                    "its dataspace's dimensions multiply to more elements than can be counted; "
                        + damagedFileAdvice)
            }
            count = product
            shape.append(dimension)
        }
        return Dataspace(shape: shape, elementCount: count)
    }

    /// Bytes needed for all elements of `datatype`, or nil on overflow.
    func byteCount(of datatype: Datatype) -> Int? {
        let (bytes, overflow) = elementCount.multipliedReportingOverflow(by: datatype.size)
        return overflow ? nil : bytes
    }
}
