import Testing

@testable import CNNCData

/// Message versions and classes that h5py does not write today, built byte by byte from
/// the layouts in the HDF5 File Format Specification.
@Suite struct MessageDecodingTests {
    private let scope = Scope(filePath: "unit.h5", object: "dataset 'x'")

    private func cursor(_ bytes: [UInt8]) -> ByteCursor {
        ByteCursor(bytes: bytes, range: 0..<bytes.count, scope: scope, structure: "test message")
    }

    private func le64(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    @Test func dataLayoutVersions1And2() throws {
        // Version 1, contiguous: version, dimensionality, class, reserved (5), address, dimensions (4 each).
        var contiguous = cursor([1, 3, 1, 0, 0, 0, 0, 0] + le64(0x800) + [2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0])
        guard case .contiguous(let address, let size) = try DataLayout.decode(&contiguous) else {
            Issue.record("expected contiguous")
            return
        }
        #expect(address == 0x800)
        #expect(size == nil)

        // Version 2, compact: version, dimensionality, class 0, reserved (5), dimensions, size (4), data.
        let compactBytes: [UInt8] = [2, 2, 0, 0, 0, 0, 0, 0] + [3, 0, 0, 0, 4, 0, 0, 0] + [4, 0, 0, 0] + [9, 8, 7, 6]
        var compact = cursor(compactBytes)
        guard case .compact(let range) = try DataLayout.decode(&compact) else {
            Issue.record("expected compact")
            return
        }
        #expect(Array(compactBytes[range]) == [9, 8, 7, 6])

        var chunked = cursor([2, 2, 2, 0, 0, 0, 0, 0] + le64(0x900) + [4, 0, 0, 0, 4, 0, 0, 0])
        guard case .chunked = try DataLayout.decode(&chunked) else {
            Issue.record("expected chunked")
            return
        }
    }

    @Test func dataLayoutVersion4ContiguousAndTruncatedCompact() throws {
        var contiguous = cursor([4, 1] + le64(0x40) + le64(24))
        guard case .contiguous(let address, let size) = try DataLayout.decode(&contiguous) else {
            Issue.record("expected contiguous")
            return
        }
        #expect(address == 0x40 && size == 24)

        // A compact size larger than the message: an error naming the object, not a trap.
        var truncated = cursor([3, 0, 0xff, 0xff, 1, 2])
        let error = thrownError { () throws(HDF5Error) in try DataLayout.decode(&truncated) }
        #expect(error?.message.hasPrefix("unit.h5: dataset 'x': test message is cut short") == true)
    }

    @Test func dataspaceVersions() throws {
        // Version 1 with maximum dimensions (flag bit 0), which are skipped.
        var simple = cursor([1, 2, 1, 0, 0, 0, 0, 0] + le64(3) + le64(5) + le64(.max) + le64(.max))
        let space = try Dataspace.decode(&simple)
        #expect(space.shape == [3, 5])
        #expect(space.elementCount == 15)

        var scalar = cursor([1, 0, 0, 0, 0, 0, 0, 0])
        #expect(try Dataspace.decode(&scalar).shape == [])

        var null = cursor([2, 0, 0, 2])
        #expect(try Dataspace.decode(&null).shape == nil)

        var overflowing = cursor([2, 3, 0, 1] + le64(1 << 31) + le64(1 << 31) + le64(1 << 31))
        let error = thrownError { () throws(HDF5Error) in try Dataspace.decode(&overflowing) }
        #expect(error?.message.contains("multiply to more elements than can be counted") == true)
    }

    @Test func datatypesOutsideTheSubsetAreNamed() throws {
        func element(_ bytes: [UInt8]) throws -> HDF5ElementType {
            var typeCursor = cursor(bytes)
            return try Datatype.decode(&typeCursor).element
        }
        let float32Properties: [UInt8] = [0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0]
        #expect(try element([0x11, 0x20, 0x1f, 0, 4, 0, 0, 0] + float32Properties) == .float(bits: 32))
        #expect(try element([0x11, 0x21, 0x1f, 0, 4, 0, 0, 0] + float32Properties) == .unsupported("big-endian float32"))
        #expect(try element([0x11, 0x61, 0x1f, 0, 4, 0, 0, 0] + float32Properties) == .unsupported("VAX-order floating point"))
        // bfloat16: 8-bit exponent, 7-bit mantissa in 2 bytes.
        let bfloat16 = try element([0x11, 0x20, 0x0f, 0, 2, 0, 0, 0, 0, 0, 16, 0, 7, 8, 0, 7, 127, 0, 0, 0])
        #expect(bfloat16 == .unsupported("non-IEEE 2-byte floating point (8-bit exponent, 7-bit mantissa, bias 127)"))
        #expect(try element([0x10, 0x08, 0, 0, 4, 0, 0, 0, 0, 0, 32, 0]) == .signedInteger(bits: 32))
        #expect(try element([0x10, 0x09, 0, 0, 2, 0, 0, 0, 0, 0, 16, 0]) == .unsupported("big-endian int16"))
        #expect(try element([0x10, 0x00, 0, 0, 4, 0, 0, 0, 0, 0, 24, 0]) == .unsupported("24-bit integer at bit offset 0 in 4 bytes"))
        #expect(try element([0x16, 0, 0, 0, 8, 0, 0, 0]) == .unsupported("compound"))
        #expect(try element([0x19, 0x00, 0, 0, 16, 0, 0, 0]) == .unsupported("variable-length sequence (not a string)"))
        #expect(try element([0x19, 0x01, 0x01, 0, 16, 0, 0, 0]) == .variableLengthString)
        #expect(try element([0x53, 0x00, 0, 0, 4, 0, 0, 0]) == .unsupported("datatype message version 5 (class 3)"))
        let zeroSize = thrownError { () throws(HDF5Error) in
            var typeCursor = cursor([0x13, 0, 0, 0, 0, 0, 0, 0])
            return try Datatype.decode(&typeCursor)
        }
        #expect(zeroSize?.message == "unit.h5: dataset 'x': its datatype has a size of 0 bytes; \(damagedFileAdvice)")
    }

    @Test func filterPipelineNames() {
        // Version 1: version, count, reserved (6); filter: ID, name length, flags, value count,
        // name padded to 8, values padded to 8.
        var version1 = cursor(
            [1, 2, 0, 0, 0, 0, 0, 0]
                + [2, 0, 0, 0, 0, 0, 1, 0] + [4, 0, 0, 0, 0, 0, 0, 0]
                + [1, 0, 8, 0, 0, 0, 1, 0] + Array("deflate\0".utf8) + [6, 0, 0, 0, 0, 0, 0, 0])
        #expect(FilterPipeline.filterNames(&version1) == ["shuffle", "deflate (gzip)"])
        // Version 2: no reserved bytes, no name for IDs below 256, no padding.
        var version2 = cursor([2, 1] + [0x0f, 0x7d, 3, 0, 0, 0, 0, 0] + Array("zst".utf8))
        #expect(FilterPipeline.filterNames(&version2) == ["zstd"])
    }
}
