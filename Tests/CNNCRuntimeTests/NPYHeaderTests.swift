import CNNCRuntime
import CNNCTraining
import Testing

/// .npy headers of every dtype numpy writes for images and labels, and the
/// headers a damaged or foreign file has: clear errors, never a crash.
@Suite struct NPYHeaderTests {
    static func file(_ descr: String, _ shape: [Int], _ data: [UInt8]) -> [UInt8] {
        NPYHeader.encoded(descr: descr, shape: shape) + data
    }

    static func message(_ bytes: [UInt8]) -> String {
        SafeTensorsTests.message { _ = try NPYHeader.parse(bytes, path: "a.npy") }
    }

    @Test func elementsStartAtAMultipleOf64() {
        #expect(NPYHeader.encoded(descr: "|u1", shape: [60_000, 28, 28]).count == 128)
        #expect(NPYHeader.encoded(descr: "<f4", shape: [3]).count == 128)
        #expect(NPYHeader.encoded(descr: "<f4", shape: Array(repeating: 1_000_000, count: 12)).count == 192)
    }

    @Test func integerDTypesReadAsIntegersAndFloats() throws {
        let cases: [(String, NPYDType, [UInt8])] = [
            ("|u1", .uint8, [255, 0, 7]),
            ("|i1", .int8, [255, 0, 7]),
            ("|b1", .bool, [1, 0, 1]),
            ("<i2", .int16, [0xFF, 0xFF, 0, 0, 7, 0]),
            ("<u4", .uint32, [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 7, 0, 0, 0]),
            ("<i8", .int64, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 8) + [7, 0, 0, 0, 0, 0, 0, 0]),
        ]
        let expected: [NPYDType: [Int64]] = [.uint8: [255, 0, 7], .int8: [-1, 0, 7], .bool: [1, 0, 1], .int16: [-1, 0, 7], .uint32: [4_294_967_295, 0, 7], .int64: [-1, 0, 7]]
        for (descr, dtype, data) in cases {
            let bytes = Self.file(descr, [3], data)
            let header = try NPYHeader.parse(bytes, path: "a.npy")
            #expect(header.dtype == dtype && header.descr == descr && header.shape == [3])
            #expect(header.integers(in: bytes) == expected[dtype], "\(descr)")
            #expect(header.floats(in: bytes) == expected[dtype]?.map(Float.init), "\(descr)")
        }
    }

    @Test func floatDTypesHaveNoIntegerView() throws {
        let bytes = Self.file("<f8", [1], Array(withUnsafeBytes(of: (-2.5).bitPattern.littleEndian, Array.init)))
        let header = try NPYHeader.parse(bytes, path: "a.npy")
        #expect(header.floats(in: bytes) == [-2.5])
        #expect(header.integers(in: bytes) == nil)
    }

    @Test func bigEndianIsRefusedUnlessOneByte() throws {
        #expect(Self.message(Self.file(">i4", [1], [0, 0, 0, 1]))
            == "a.npy: the array is big-endian (dtype >i4); save it little-endian with array.astype('<i4')")
        #expect(try NPYHeader.parse(Self.file(">u1", [1], [9]), path: "a.npy").dtype == .uint8)
    }

    @Test func unknownDTypesAndImpossibleShapes() {
        #expect(Self.message(Self.file("<U5", [1], [])) == "a.npy: the array's dtype <U5 is not supported; cnnc reads bool, integers, float32 and float64 here")
        #expect(Self.message(Self.file("|O", [1], [])).contains("dtype |O is not supported"))
        #expect(Self.message(Self.file("<f4", [-3], [])) == "a.npy: cannot read the shape (-3,) in the .npy header")
        #expect(Self.message(Self.file("<f4", [1 << 40, 1 << 40], [])) == "a.npy: the shape (1099511627776, 1099511627776) is too large")
        #expect(Self.message(Self.file("<f8", [1 << 61], [])).contains("needs more than"))
        #expect(Self.message(Self.file("<f4", [2, 3], [0, 0, 0, 0])) == "a.npy: the file is truncated: shape (2, 3) needs 24 bytes of data, it has 4")
    }

    /// A model's input names only the dtypes `predict` takes; a file cut
    /// inside its magic or header says it is truncated, not foreign.
    @Test func messagesSayWhatThisReaderTakes() {
        func inputMessage(_ bytes: [UInt8]) -> String {
            do { _ = try NPYFile.parse(bytes, path: "x.npy"); return "" } catch { return error.message }
        }
        #expect(inputMessage(Self.file("<c8", [1], [])) == "x.npy: the array's dtype <c8 is not supported; cnnc reads float32 ('<f4'), float64 and uint8 here")
        #expect(inputMessage(Self.file("<i4", [1], [1, 0, 0, 0])) == "x.npy: the array's dtype is <i4; cnnc reads float32 ('<f4'), float64 and uint8 here")
        let file = Self.file("<f4", [1], [0, 0, 0, 0])
        #expect(inputMessage(Array(file.prefix(8))) == "x.npy: the file is truncated: 8 bytes, less than the 10 every .npy header takes")
        #expect(inputMessage(Array(file.prefix(3))) == "x.npy: the file is truncated: 3 bytes, less than the 10 every .npy header takes")
        #expect(inputMessage(Array("PK\u{3}\u{4}zip".utf8)).contains("not a .npy file"))
    }
}
