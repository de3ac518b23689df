import Foundation
import Testing

@testable import CNNCData

/// Everything outside the subset is refused by name: the message starts with the file's
/// path, names the object, says what was found and what would be right.
@Suite struct RefusalTests {
    let miscPath = Fixture.path("misc.h5")

    private func refusal(_ datasetPath: String) throws -> String {
        let dataset = try Fixture.open("misc.h5").dataset(at: datasetPath)
        return try #require(thrownError { () throws(HDF5Error) in try dataset.floats() }).message
    }

    @Test func chunkedCompressedDataset() throws {
        let message = try refusal("chunked_gzip")
        #expect(message.hasPrefix("\(miscPath): dataset 'chunked_gzip' uses chunked storage (layout class 2)"))
        #expect(message.contains("deflate (gzip)"))
        #expect(message.contains("cnnc reads contiguous and compact datasets only"))
        #expect(message.contains("re-save the weights"))
        // The dataset is still listed, with its shape, so a caller can say which weight it is.
        let dataset = try Fixture.open("misc.h5").dataset(at: "chunked_gzip")
        #expect(dataset.shape == [10, 10])
    }

    @Test func chunkedUncompressedDataset() throws {
        let message = try refusal("chunked_plain")
        #expect(message == "\(miscPath): dataset 'chunked_plain' uses chunked storage (layout class 2); "
            + "cnnc reads contiguous and compact datasets only; re-save the weights with h5py or Keras defaults "
            + "(no chunks=, compression= or external=)")
    }

    @Test func bigEndianDataset() throws {
        let message = try refusal("big_endian")
        #expect(message.hasPrefix("\(miscPath): dataset 'big_endian' has elements of type big-endian float32;"))
        #expect(message.contains(".astype('<f4')"))
    }

    @Test func datasetNeverWritten() throws {
        let message = try refusal("never_written")
        #expect(message.hasPrefix("\(miscPath): dataset 'never_written' has no values: its storage was never written"))
    }

    @Test func unsupportedAndStringElementTypes() throws {
        #expect(try refusal("boolean").contains("dataset 'boolean' has elements of type enumeration"))
        #expect(try refusal("committed").contains("dataset 'committed' has elements of type committed (named) datatype"))
        #expect(try refusal("strings").hasSuffix("dataset 'strings' holds strings (fixed-length string of 3 bytes), not numbers"))
        let floats = try Fixture.open("misc.h5").dataset(at: "f64")
        let message = thrownError { () throws(HDF5Error) in try floats.integers() }?.message
        #expect(message == "\(miscPath): dataset 'f64' holds float64, not integers; read it with floats() instead")
        let unsigned = try Fixture.open("misc.h5").dataset(at: "u64")
        #expect(thrownError { () throws(HDF5Error) in try unsigned.integers() }?.message.contains("above Int64.max") == true)
    }

    @Test func unsupportedAttributeIsRefusedByName() throws {
        let root = try Fixture.open("misc.h5").root
        let message = thrownError { () throws(HDF5Error) in try root.attribute("bool_scalar") }?.message
        #expect(message == "\(miscPath): group '/' has attribute 'bool_scalar' of type enumeration (h5py stores "
            + "numpy bool this way); cnnc reads numeric and string attributes only")
        let missing = thrownError { () throws(HDF5Error) in try root.group("sub").attribute("nam") }?.message
        #expect(missing == "\(miscPath): group 'sub' has no attribute 'nam'; its attributes are 'name'")
    }

    @Test func denseLinkStorage() throws {
        let path = Fixture.path("latest_dense.h5")
        let message = thrownError { () throws(HDF5Error) in try HDF5File.read(path: path) }?.message ?? ""
        #expect(message.hasPrefix("\(path): group 'crowded' stores its links densely, in a fractal heap"))
        #expect(message.contains("re-save the weights with h5py's default libver"))
    }

    @Test func linksAndPathsThatDoNotLeadToData() throws {
        let file = try Fixture.open("misc.h5")
        let missing = thrownError { () throws(HDF5Error) in try file.dataset(at: "sub/inner/y") }?.message
        #expect(missing == "\(miscPath): group 'sub/inner' has no member 'y'; its members are 'x'")
        let soft = thrownError { () throws(HDF5Error) in try file.dataset(at: "links/soft") }?.message
        #expect(soft == "\(miscPath): 'links/soft' is a soft link to '/f64'; cnnc follows hard links to groups and datasets only")
        let groupAsDataset = thrownError { () throws(HDF5Error) in try file.dataset(at: "sub") }?.message
        #expect(groupAsDataset == "\(miscPath): 'sub' is a group, not a dataset")
        let datasetAsGroup = thrownError { () throws(HDF5Error) in try file.group(at: "f64/x") }?.message
        #expect(datasetAsGroup == "\(miscPath): 'f64' is a dataset, not a group")
    }

    @Test func notAnHDF5File() {
        let empty = thrownError { () throws(HDF5Error) in try HDF5File(bytes: [], path: "empty.h5") }
        #expect(empty?.message.hasPrefix("empty.h5: not an HDF5 file") == true)
        let zip = thrownError { () throws(HDF5Error) in try HDF5File(bytes: Array("PK\u{3}\u{4}rest".utf8), path: "m.keras") }
        #expect(zip?.message.hasPrefix("m.keras: not an HDF5 file: the HDF5 signature") == true)
        let missing = thrownError { () throws(HDF5Error) in try HDF5File.read(path: "/nonexistent/w.h5") }
        #expect(missing?.message == "/nonexistent/w.h5: cannot read the file: no such file")
    }

    @Test func truncatedFile() throws {
        let bytes = try Fixture.bytes("keras3_functional.weights.h5")
        let message = thrownError { () throws(HDF5Error) in
            try HDF5File(bytes: Array(bytes.prefix(bytes.count / 2)), path: "half.h5")
        }?.message
        #expect(message?.hasPrefix("half.h5: superblock: the superblock says the file is \(bytes.count) bytes long") == true)
        #expect(message?.contains("the file is truncated") == true)
    }

    @Test func otherAddressSizesAndSuperblockVersions() throws {
        var bytes = try Fixture.bytes("keras3_functional.weights.h5")
        bytes[13] = 4  // size of offsets
        let sizes = thrownError { () throws(HDF5Error) in try HDF5File(bytes: bytes, path: "w.h5") }?.message
        #expect(sizes?.hasPrefix("w.h5: superblock declares 4-byte addresses and 8-byte lengths; cnnc reads files with 8-byte") == true)
        bytes[13] = 8
        bytes[8] = 4  // superblock version
        let version = thrownError { () throws(HDF5Error) in try HDF5File(bytes: bytes, path: "w.h5") }?.message
        #expect(version?.hasPrefix("w.h5: superblock has version 4; cnnc reads superblock versions 0 to 3") == true)
    }

    // MARK: Cycles and shared structures

    /// Root object header address from a version 0 superblock (root symbol table entry,
    /// object header address field at byte 64).
    private func rootHeaderAddress(_ bytes: [UInt8]) -> Int { Int(bytes.uint64(at: 64)) }

    @Test func continuationLoopIsDetected() throws {
        var bytes = try Fixture.bytes("keras3_functional.weights.h5")
        let root = rootHeaderAddress(bytes)
        // Make the root's first block hold one continuation message pointing at itself.
        bytes.setUInt32(24, at: root + 8)  // header size: one 8-byte message header + 16 bytes
        bytes[root + 16] = 0x10
        bytes[root + 17] = 0
        bytes[root + 18] = 16
        bytes[root + 19] = 0
        bytes[root + 20] = 0
        bytes.setUInt64(UInt64(root + 16), at: root + 24)
        bytes.setUInt64(24, at: root + 32)
        let message = thrownError { () throws(HDF5Error) in try HDF5File(bytes: bytes, path: "loop.h5") }?.message
        #expect(message?.hasPrefix("loop.h5: group '/': the object header at \(hex(root)) continues at") == true)
        #expect(message?.contains("form a loop") == true)
    }

    @Test func groupLinkedIntoItselfIsDetected() throws {
        var bytes = try Fixture.bytes("keras3_functional.weights.h5")
        let root = rootHeaderAddress(bytes)
        // Point the first entry of every symbol table node at the root group's header.
        for node in bytes.offsets(of: "SNOD") {
            bytes.setUInt64(UInt64(root), at: node + 8 + 8)
        }
        let message = thrownError { () throws(HDF5Error) in try HDF5File(bytes: bytes, path: "cycle.h5") }?.message
        #expect(message?.hasPrefix("cycle.h5: group 'layers' is the same group (object header at \(hex(root))) as '/'") == true)
    }

    @Test func bTreeNodeReachedTwiceIsDetected() throws {
        var bytes = try Fixture.bytes("many_members.h5")
        // The 'many' group's root B-tree node has level 1; make its second child repeat its first.
        let node = try #require(bytes.offsets(of: "TREE").first { bytes[$0 + 5] == 1 })
        let firstChild = node + 8 + 16 + 8
        bytes.setUInt64(bytes.uint64(at: firstChild), at: firstChild + 16)
        let message = thrownError { () throws(HDF5Error) in try HDF5File(bytes: bytes, path: "tree.h5") }?.message
        #expect(message?.hasPrefix("tree.h5: group 'many': the B-tree node at ") == true)
        #expect(message?.contains("is reached a second time") == true)
    }
}
