import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// safetensors reading and writing, and every way a weights file can be wrong.
@Suite struct SafeTensorsTests {
    static let layout = [
        TensorLayout(name: "conv.kernel", shape: [3, 3, 1, 2], offset: 0),
        TensorLayout(name: "conv.bias", shape: [2], offset: 18),
    ]
    static let parameters = (0..<20).map { Float($0) * 0.5 - 3 }

    static func encoded(parameters: [Float] = parameters, layout: [TensorLayout] = layout) throws -> Data {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensors.write(parameters: parameters, layout: layout, metadata: ["format": "cnnc-weights-1"], to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func load(_ data: Data) throws -> [Float] {
        try SafeTensors.parse(data, path: "w.safetensors").parameters(matching: layout, count: 20, path: "w.safetensors")
    }

    /// The bytes with the first occurrence of `old` replaced (same length keeps offsets valid).
    static func replacing(_ old: String, with new: String, in data: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(data), target = Array(old.utf8)
        guard let start = (0...(bytes.count - target.count)).first(where: { Array(bytes[$0..<($0 + target.count)]) == target }) else { return bytes }
        return Array(bytes[..<start]) + Array(new.utf8) + Array(bytes[(start + target.count)...])
    }

    static func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as RuntimeError { return error.message } catch { return "\(error)" }
        return "no error"
    }

    @Test func roundTrip() throws {
        let data = try Self.encoded()
        #expect(try Self.load(data) == Self.parameters)
        let file = try SafeTensors.parse(data, path: "w")
        #expect(file.metadata == ["format": "cnnc-weights-1"])
        #expect(file.tensors["conv.kernel"]?.shape == [3, 3, 1, 2])
        // The data starts 8-byte aligned, as the reference writer leaves it.
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
    }

    @Test func missingExtraAndMisshapenTensorsAreAllNamed() throws {
        let wrong = [
            TensorLayout(name: "conv.kernel", shape: [3, 3, 2, 1], offset: 0),
            TensorLayout(name: "other.bias", shape: [2], offset: 18),
        ]
        let text = Self.message { _ = try Self.load(try Self.encoded(layout: wrong)) }
        #expect(text.contains("tensor 'conv.kernel' has shape (3, 3, 2, 1); the model needs (3, 3, 1, 2)"))
        #expect(text.contains("missing tensor 'conv.bias' of shape (2,)"))
        #expect(text.contains("unexpected tensor 'other.bias'"))
    }

    @Test func truncatedFile() throws {
        let data = try Self.encoded()
        #expect(Self.message { _ = try Self.load(data.prefix(data.count - 1)) }.contains("the file is truncated"))
        #expect(Self.message { _ = try Self.load(data.prefix(20)) }.contains("the file is truncated or not safetensors"))
        #expect(Self.message { _ = try Self.load(data.prefix(5)) }.contains("not a safetensors file"))
    }

    @Test func headerThatLiesAboutSizes() throws {
        let original = try Self.encoded()
        // Claim the kernel holds 19 floats while its shape says 18.
        let data = Data(Self.replacing("\"data_offsets\":[0,72]", with: "\"data_offsets\":[0,76]", in: original))
        #expect(data != original)
        #expect(Self.message { _ = try Self.load(data) }.contains("tensor 'conv.kernel' of shape (3, 3, 1, 2) needs 72 bytes but its header gives 76"))
    }

    @Test func otherDTypesAreRefusedByName() throws {
        let data = Data(Self.replacing("\"F32\"", with: "\"F16\"", in: try Self.encoded()))
        #expect(Self.message { _ = try Self.load(data) }.contains("is F16; cnnc reads float32 (F32) weights"))
    }

    @Test func missingFile() {
        #expect(Self.message { _ = try SafeTensors.read(path: "/no/such.safetensors") } == "/no/such.safetensors: no such weights file")
    }

    /// Tensors that share bytes, overlap, leave a gap or leave bytes over load
    /// wrong weights silently unless refused (issue 16): the bias moved by 4 bytes,
    /// both tensors on the same bytes, and bytes appended.
    @Test func tensorsMustTileTheDataSection() throws {
        let original = try Self.encoded()
        let shifted = Data(Self.replacing("\"data_offsets\":[72,80]", with: "\"data_offsets\":[68,76]", in: original))
        #expect(Self.message { _ = try Self.load(shifted) }.contains("tensor 'conv.bias' starts at data byte 68 and overlaps the tensor before it (which ends at byte 72)"))
        let shared = Data(Self.replacing("\"data_offsets\":[72,80]", with: "\"data_offsets\":[0,8]  ", in: original))
        #expect(Self.message { _ = try Self.load(shared) }.contains("overlaps the tensor before it"))
        #expect(Self.message { _ = try Self.load(original + Data([0, 0, 0, 0])) }.contains("the tensors cover 80 bytes of a 84-byte data section"))
    }

    /// A NaN or an infinity in the weights is named, never run (issue 16).
    @Test func nonFiniteWeightsAreRefusedByTensorAndIndex() throws {
        var parameters = Self.parameters
        parameters[19] = .nan
        #expect(Self.message { _ = try Self.load(try Self.encoded(parameters: parameters)) }.contains("tensor 'conv.bias' holds nan at index 1; weights must be finite numbers"))
        parameters[19] = 0
        parameters[4] = -.infinity
        #expect(Self.message { _ = try Self.load(try Self.encoded(parameters: parameters)) }.contains("tensor 'conv.kernel' holds -inf at index 4"))
    }

    /// A model reads its weights from the file straight into its parameter
    /// buffer (`readParameters`), and cnnc checks a user's file tensor by
    /// tensor (`validate`): both refuse what `parse` refuses, by the same words.
    @Test func fileReadersCheckAsParseDoes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func written(_ data: Data) throws -> String { try data.write(to: URL(fileURLWithPath: path)); return path }
        // The layout's tensors in another order than the file's: each lands at its own offset.
        let reordered = [Self.layout[1], Self.layout[0]]
        #expect(try SafeTensors.readParameters(path: written(Self.encoded()), matching: reordered, count: 20) == Self.parameters)
        try SafeTensors.validate(path: path, matching: Self.layout)

        var parameters = Self.parameters
        parameters[19] = .nan
        _ = try written(Self.encoded(parameters: parameters))
        #expect(Self.message { _ = try SafeTensors.readParameters(path: path, matching: Self.layout, count: 20) }.contains("tensor 'conv.bias' holds nan at index 1"))
        #expect(Self.message { try SafeTensors.validate(path: path, matching: Self.layout) }.contains("tensor 'conv.bias' holds nan at index 1"))

        let wrong = [TensorLayout(name: "conv.kernel", shape: [3, 3, 2, 1], offset: 0)]
        let text = Self.message { try SafeTensors.validate(path: try written(Self.encoded()), matching: wrong) }
        #expect(text.contains("tensor 'conv.kernel' has shape (3, 3, 1, 2); the model needs (3, 3, 2, 1)") && text.contains("unexpected tensor 'conv.bias'"))

        let data = try Self.encoded()
        #expect(Self.message { _ = try SafeTensors.readParameters(path: try written(data.prefix(data.count - 1)), matching: Self.layout, count: 20) }.contains("the file is truncated"))
        #expect(Self.message { _ = try SafeTensors.readParameters(path: "/no/such.safetensors", matching: Self.layout, count: 20) } == "/no/such.safetensors: no such weights file")
        #expect(Self.message { try SafeTensors.validate(path: FileManager.default.temporaryDirectory.path, matching: Self.layout) }.hasSuffix("cannot read the weights file"))
    }

    /// A write that fails part way leaves neither the target nor its temporary file.
    @Test func failedWriteLeavesNothing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("w.safetensors").path
        struct Stop: Error {}
        #expect(throws: RuntimeError.self) { try AtomicFile.write(to: target) { handle in try handle.write(contentsOf: Data([1, 2, 3])); throw Stop() } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// A header may claim a shape whose byte count overflows an Int: an error, never a trap (issue 16).
    @Test(arguments: ["[4611686018427387904]", "[2305843009213693952]", "[2147483648, 2147483648]"])
    func hugeShapesAreErrorsNotTraps(shape: String) {
        let header = "{\"w\": {\"dtype\": \"F32\", \"shape\": \(shape), \"data_offsets\": [0, 4]}}"
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + [0, 0, 0, 0]
        let text = Self.message { _ = try SafeTensors.parse(Data(bytes), path: "w.safetensors") }
        #expect(text.contains("needs more bytes than a file can hold"), "\(text)")
    }
}

/// `.npy` reading and writing.
@Suite struct NPYFileTests {
    @Test func roundTrip() throws {
        let file = NPYFile(shape: [2, 3, 1], values: [1, -2, 3.5, 0, 1e-7, -1e9])
        let data = file.encoded()
        #expect(data.count % 64 == 24)  // 64-byte aligned header, then 6 floats
        let back = try NPYFile.parse([UInt8](data), path: "x.npy")
        #expect(back.shape == [2, 3, 1])
        #expect(back.values == file.values)
    }

    @Test func scalarShapeAndOneAxis() throws {
        let back = try NPYFile.parse([UInt8](NPYFile(shape: [4], values: [1, 2, 3, 4]).encoded()), path: "v.npy")
        #expect(back.shape == [4])
    }

    @Test func truncatedAndForeignFiles() throws {
        let data = [UInt8](NPYFile(shape: [10], values: [Float](repeating: 1, count: 10)).encoded())
        #expect(SafeTensorsTests.message { _ = try NPYFile.parse(Array(data.dropLast(3)), path: "x.npy") }.contains("the file is truncated"))
        #expect(SafeTensorsTests.message { _ = try NPYFile.parse(Array("hello world".utf8), path: "x.npy") }.contains("not a .npy file"))
        let fortran = SafeTensorsTests.replacing("'fortran_order': False", with: "'fortran_order': True ", in: data)
        #expect(SafeTensorsTests.message { _ = try NPYFile.parse(fortran, path: "x.npy") }.contains("Fortran order"))
        let int32 = SafeTensorsTests.replacing("'<f4'", with: "'<i4'", in: data)
        #expect(SafeTensorsTests.message { _ = try NPYFile.parse(int32, path: "x.npy") }.contains("dtype is <i4"))
        // A header numpy would not write is refused by what is wrong with it, not read loosely.
        let maybe = SafeTensorsTests.replacing("'fortran_order': False", with: "'fortran_order': Maybe", in: data)
        #expect(SafeTensorsTests.message { _ = try NPYFile.parse(maybe, path: "x.npy") }.contains("fortran_order is Maybe"))
        let nested = SafeTensorsTests.replacing("'shape': (10,)", with: "'shape': ((10)),", in: data)
        #expect(SafeTensorsTests.message { _ = try NPYFile.parse(nested, path: "x.npy") }.contains("cannot read the shape"))
        let twice = SafeTensorsTests.replacing("'fortran_order': False, ", with: "'descr': '<f4', 'fortran_order': False,", in: data)
        #expect(SafeTensorsTests.message { _ = try NPYFile.parse(twice, path: "x.npy") }.contains("gives 'descr' twice"))
    }
}
