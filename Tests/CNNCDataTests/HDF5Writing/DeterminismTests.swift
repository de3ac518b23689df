import Foundation
@testable import CNNCData
import Testing

/// The same contents give the same bytes: no timestamps, no dependence on the order in
/// which members were added or on hashing; and the bytes are pinned by a golden file.
@Suite struct DeterminismTests {
    @Test func sameInputSameBytes() throws {
        let (builder, _) = try RoundTripTests.everything()
        #expect(try builder.bytes() == builder.bytes())
        let (again, _) = try RoundTripTests.everything()
        #expect(try builder.bytes() == again.bytes())
        let layers = KerasWeightsFileTests.sequentialLayers
        #expect(try KerasWeightsFile.bytes(modelName: "s", kind: .sequential, layers: layers)
            == KerasWeightsFile.bytes(modelName: "s", kind: .sequential, layers: layers))
    }

    /// Members are laid out in name order, whatever order they were created in.
    @Test func creationOrderDoesNotMatter() throws {
        let paths = ["b/x", "a", "c/d/e", "b/y", "c/a", "ä", "B"]
        func build(_ order: [String]) throws -> [UInt8] {
            var builder = HDF5Builder()
            for path in order {
                try builder.createDataset(path, .float32(shape: [1], [Float(path.utf8.count)]))
            }
            try builder.setAttribute("name", "root", on: "/")
            return try builder.bytes()
        }
        let forward = try build(paths)
        #expect(try build(paths.reversed()) == forward)
        #expect(try build(paths.sorted()) == forward)
    }

    /// The Keras file of KerasWeightsFileTests.sequentialLayers, byte for byte as
    /// Tests/Fixtures/hdf5-writing/sequential.weights.h5 holds it (h5py and Keras read that file: see
    /// Tests/Fixtures/hdf5-writing/README.md). UPDATE_EXPECTED=1 rewrites it after a deliberate change.
    @Test func goldenKerasFile() throws {
        let bytes = try KerasWeightsFile.bytes(
            modelName: "sequential", kind: .sequential, layers: KerasWeightsFileTests.sequentialLayers)
        let url = WriterTestSupport.expectedDirectory.appendingPathComponent("sequential.weights.h5")
        if ProcessInfo.processInfo.environment["UPDATE_EXPECTED"] != nil {
            try Data(bytes).write(to: url)
        }
        let expected = try [UInt8](Data(contentsOf: url))
        #expect(bytes.count == expected.count)
        let firstDifference = zip(bytes, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "the bytes differ from byte \(firstDifference ?? 0) on")
    }
}
