import Foundation
import Testing

@testable import CNNCData

/// The parts of the format that Keras files use only sometimes: big groups, every element
/// type, scalars, attributes of every kind, links, new-style groups, libver='latest',
/// user blocks and superblock version 1.
@Suite struct FormatTests {
    @Test func groupWithThreeHundredMembersUsesATwoLevelBTree() throws {
        let file = try Fixture.open("many_members.h5")
        #expect(file.deepestGroupBTreeLevel >= 1, "the fixture must need an internal B-tree node")
        let many = try file.group(at: "many")
        let expectedNames = (0..<300).map { "d" + String(repeating: "0", count: 3 - String($0).count) + String($0) }
        #expect(many.children.map(\.name) == expectedNames)
        for (index, dataset) in many.datasets.enumerated() {
            #expect(dataset.shape == [])
            #expect(dataset.elementType == .signedInteger(bits: 16))
            #expect(try dataset.integers() == [Int64(index)], "\(dataset.path)")
        }
    }

    @Test func numericElementTypes() throws {
        let file = try Fixture.open("misc.h5")
        func floats(_ path: String) throws -> [Float] { try file.dataset(at: path).floats() }
        func integers(_ path: String) throws -> [Int64] { try file.dataset(at: path).integers() }

        let scalar = try file.dataset(at: "scalar")
        #expect(scalar.shape == [])
        #expect(scalar.elementCount == 1)
        #expect(try scalar.floats() == [3.5])

        #expect(try file.dataset(at: "f16").elementType == .float(bits: 16))
        #expect(try floats("f16") == [0.5, -2.0, 65504.0, 0x1p-14, 0x1p-24])

        let f64 = try file.dataset(at: "f64")
        #expect(f64.shape == [2, 3])
        #expect(f64.elementType == .float(bits: 64))
        let f64Values = try f64.floats()
        #expect(f64Values == [1.0, -2.5, Float(1e-300), Float(3.141592653589793), 1e10, -0.0])
        #expect(f64Values[5].sign == .minus)

        #expect(try integers("i8") == [-128, -1, 0, 127])
        #expect(try floats("i8") == [-128, -1, 0, 127])
        #expect(try integers("u8") == [0, 200, 255])
        #expect(try integers("i16") == [-32768, 32767])
        #expect(try integers("u16") == [65535, 1])
        #expect(try file.dataset(at: "i32").elementType == .signedInteger(bits: 32))
        #expect(try integers("i32") == [-2_147_483_648, -7, 0, 2_147_483_647])
        #expect(try integers("u32") == [4_294_967_295, 3])
        #expect(try integers("i64") == [Int64.min, 1 << 40 + 1, 16_777_217])
        // Conversion to Float rounds to nearest: 2^24 + 1 is not a float32.
        #expect(try floats("i64") == [Float(Int64.min), Float(1 << 40 + 1), 16_777_216])
        #expect(try floats("u64") == [Float(UInt64.max), 5])

        let empty = try file.dataset(at: "empty")
        #expect(empty.shape == [0, 3])
        #expect(try empty.floats() == [])

        let compact = try file.dataset(at: "compact_layout")
        #expect(try compact.floats() == [9.25, -1.0])
    }

    @Test func attributesOfEveryKind() throws {
        let root = try Fixture.open("misc.h5").root
        let byName = Dictionary(uniqueKeysWithValues: root.attributes.map { ($0.name, $0) })
        #expect(root.attributes.map(\.name).first == "int_scalar", "attributes keep their stored order")
        #expect(byName["int_scalar"] == HDF5Attribute(name: "int_scalar", shape: [], value: .integers([-42])))
        #expect(byName["float_scalar"]?.value == .floats([0.25]))
        #expect(byName["int_array"] == HDF5Attribute(name: "int_array", shape: [2, 3], value: .integers([1, 2, 3, 4, 5, 6])))
        #expect(byName["float_array"]?.value == .floats([1.5, -0.5]))
        #expect(byName["fixed_string"]?.string == "keras")
        #expect(byName["fixed_strings"]?.value == .strings(["conv2d", "bn", "dense"]))
        #expect(byName["fixed_strings"]?.shape == [3])
        #expect(byName["vlen_string"]?.string == "tiny_functional")
        #expect(byName["vlen_strings"]?.value == .strings(["a", "b\u{e9}ta", ""]))
        #expect(byName["empty_float_array"] == HDF5Attribute(name: "empty_float_array", shape: [0], value: .floats([])))
        #expect(byName["bool_scalar"]?.value == .unsupported("enumeration (h5py stores numpy bool this way)"))
        #expect(byName["big_uint"]?.value == .unsupported("uint64 with values above Int64.max"))
        #expect(byName["empty_value"]?.value == .unsupported("empty value (null dataspace, h5py.Empty)"))
        // An attribute of a committed datatype is a version 2 attribute message with flag bit 0.
        #expect(byName["committed_attr"]?.value == .unsupported("shared (committed) datatype or dataspace"))
    }

    @Test func linksAndNestedGroups() throws {
        let file = try Fixture.open("misc.h5")
        let rootChildren = Dictionary(uniqueKeysWithValues: file.root.children.map { ($0.name, $0.kind) })
        #expect(rootChildren["soft_in_old_style_group"] == .other("a soft link to '/i8'"))
        #expect(rootChildren["sub"] == .group)
        #expect(rootChildren["f64"] == .dataset)
        #expect(rootChildren["committed_type"] == .other("a named datatype"))
        #expect(file.root.children.map(\.name) == file.root.children.map(\.name).sorted())

        // A group holding an external link is a new-style group: link messages, listed by name.
        let links = try file.group(at: "links")
        #expect(links.children == [
            HDF5Child(name: "external", kind: .other("an external link")),
            HDF5Child(name: "hard", kind: .dataset),
            HDF5Child(name: "soft", kind: .other("a soft link to '/f64'")),
        ])
        // A second hard link to a dataset reads the same values under its own path.
        let hard = try links.dataset("hard")
        #expect(hard.path == "links/hard")
        #expect(try hard.integers() == [-128, -1, 0, 127])

        let inner = try file.dataset(at: "/sub/inner/x")
        #expect(inner.path == "sub/inner/x")
        #expect(try inner.integers() == [7])
        #expect(try file.group(at: "sub").attribute("name").string == "sub group")
        #expect(try file.group(at: "sub").group("inner").path == "sub/inner")
        #expect(try file.group(at: "/").path == "/")
    }

    /// track_order=True makes a new-style group in a version 2 object header, even with
    /// h5py's default libver; members and attributes come back in creation order.
    @Test func creationOrderedGroup() throws {
        let ordered = try Fixture.open("misc.h5").group(at: "ordered")
        #expect(ordered.children.map(\.name) == ["zeta", "alpha", "mid"])
        #expect(ordered.attributes.map(\.name) == ["second", "first"])
        #expect(try ordered.dataset("alpha").integers() == [5])
    }

    @Test func libverLatestFile() throws {
        let file = try Fixture.open("latest.h5")
        #expect(file.superblockVersion == 3)
        #expect(try file.root.attribute("name").string == "latest")
        #expect(try file.root.attribute("count").value == .integers([3]))
        #expect(try file.group(at: "layers").attribute("layer_names").value == .strings(["dense"]))
        let dense = try file.group(at: "layers/dense")
        #expect(dense.children.map(\.name) == ["bias", "kernel"])
        #expect(try dense.dataset("kernel").shape == [2, 3])
        #expect(try dense.dataset("kernel").floats() == [0, 1, 2, 3, 4, 5])
        #expect(try dense.dataset("bias").floats() == [0.5, -0.5, 1.0])
    }

    @Test func fileWithUserBlock() throws {
        let file = try Fixture.open("userblock.h5")
        #expect(try file.dataset(at: "x").floats() == [3.0, 4.0])
        #expect(try file.root.attribute("name").string == "after a user block")
    }

    /// h5py cannot write superblock version 1 (it needs a non-default indexed-storage K),
    /// so this one is built by hand: the version 0 layout plus 4 bytes after the flags.
    @Test func superblockVersion1() throws {
        var bytes = Superblock.signature
        bytes += [1, 0, 0, 0, 0, 8, 8, 0]  // versions, reserved, sizes of offsets and lengths, reserved
        bytes += [4, 0, 16, 0, 0, 0, 0, 0]  // group leaf K, group internal K, file consistency flags
        bytes += [32, 0, 0, 0]  // indexed storage internal node K, reserved (version 1 only)
        func address(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
        bytes += address(0) + address(.max) + address(200) + address(.max)
        bytes += address(0) + address(0x70) + [1, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
        #expect(bytes.count == 100)
        bytes += [UInt8](repeating: 0, count: 100)
        let superblock = try Superblock.read(bytes: bytes, path: "v1.h5")
        #expect(superblock.version == 1)
        #expect(superblock.baseAddress == 0)
        #expect(superblock.rootObjectHeaderAddress == 0x70)
    }

    @Test func float16ConversionIsExact() {
        #expect(ElementDecoding.floatFromBinary16(0x3c00) == 1)
        #expect(ElementDecoding.floatFromBinary16(0xc000) == -2)
        #expect(ElementDecoding.floatFromBinary16(0x0001) == 0x1p-24)
        #expect(ElementDecoding.floatFromBinary16(0x8000).sign == .minus)
        #expect(ElementDecoding.floatFromBinary16(0x7c00) == .infinity)
        #expect(ElementDecoding.floatFromBinary16(0x7e00).isNaN)
    }
}
