import Foundation
@testable import CNNCData
import Testing

/// The HDF5 library itself (through h5py) reads and edits what the writer writes:
/// check_with_h5py.py, run when a Python with h5py is at hand. Its output on the files
/// below is kept in Tests/Fixtures/hdf5-writing/check_with_h5py.txt.
@Suite struct H5pyTests {
    @Test(.enabled(if: WriterTestSupport.python != nil, "no Python with h5py: set HDF5_CHECK_PYTHON to run check_with_h5py.py"))
    func h5pyReadsAndEditsTheFiles() throws {
        // HDF5_CHECK_FOLDER keeps the files and manifest there, to rerun the script by hand.
        let kept = ProcessInfo.processInfo.environment["HDF5_CHECK_FOLDER"].map { URL(fileURLWithPath: $0) }
        let folder = try kept ?? WriterTestSupport.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if kept == nil { try? FileManager.default.removeItem(at: folder) } }
        let (everything, everythingSnapshot) = try RoundTripTests.everything()
        let keras = try KerasWeightsFile.bytes(
            modelName: "sequential", kind: .sequential, layers: KerasWeightsFileTests.sequentialLayers)
        var files: [(String, [UInt8], Snapshot, GroupIndex.NodeK)] = [
            ("everything.h5", try everything.bytes(), everythingSnapshot, .hdf5Default),
            ("sequential.weights.h5", keras, try Snapshot(reading: HDF5File(bytes: keras, path: "k")), .hdf5Default),
        ]
        // 300 members: a root over two leaf nodes. 200 members in nodes of 2 and 4
        // entries: a B-tree four levels deep. HDF5_CHECK_LARGE adds 8300 members with
        // HDF5's node sizes: a root two levels above 33 leaves.
        var groups: [(count: Int, k: GroupIndex.NodeK)] = [(300, .hdf5Default), (200, .init(leaf: 1, internal: 2))]
        if ProcessInfo.processInfo.environment["HDF5_CHECK_LARGE"] != nil {
            groups.append((8300, .hdf5Default))
        }
        for (count, k) in groups {
            let (builder, snapshot) = try Self.manyMembers(count: count, k: k)
            files.append(("many-\(count)-k\(k.leaf)-\(k.internal).h5", try builder.bytes(), snapshot, k))
        }
        var manifest: [[String: Any]] = []
        for (name, bytes, snapshot, k) in files {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            var entry = Self.manifestEntry(file: url.path, snapshot)
            entry["nodeK"] = [k.leaf, k.internal]
            manifest.append(entry)
        }
        let manifestURL = folder.appendingPathComponent("manifest.json")
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        let script = WriterTestSupport.scriptsDirectory.appendingPathComponent("check_with_h5py.py").path
        let result = try WriterTestSupport.run(try #require(WriterTestSupport.python), [script, manifestURL.path])
        #expect(result.status == 0, "check_with_h5py.py failed:\n\(result.output)")
        #expect(result.output.contains("\(files.count * 4) passed, 0 failed"), "\(result.output)")
    }

    /// A group "many" of `count` members, mostly datasets, in an order that is not their
    /// byte order.
    static func manyMembers(count: Int, k: GroupIndex.NodeK) throws -> (HDF5Builder, Snapshot) {
        var builder = HDF5Builder()
        builder.groupNodeK = k
        var datasets: [String: HDF5Array] = [:]
        var groups: [String: [String: String]] = ["/": [:], "many": ["name": "many"]]
        try builder.createGroup("many")
        try builder.setAttribute("name", "many", on: "many")
        for index in 0..<count {
            let path = "many/\(index * 7919 % count)"
            if index % 50 == 0 {
                try builder.createGroup(path)
                groups[path] = [:]
            } else {
                datasets[path] = .float32(shape: [2], [Float(index), -Float(index)])
                try builder.createDataset(path, datasets[path]!)
            }
        }
        return (builder, Snapshot(groups: groups, datasets: datasets))
    }

    static func manifestEntry(file: String, _ snapshot: Snapshot) -> [String: Any] {
        var datasets: [String: Any] = [:]
        for (path, dataset) in snapshot.datasets {
            var bytes: [UInt8] = []
            let dtype: String
            switch dataset.values {
            case .float32(let bits):
                dtype = "float32"
                for value in bits { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
            case .integers(let width, let values):
                dtype = "int\(width)"
                for value in values {
                    withUnsafeBytes(of: value.littleEndian) { bytes += $0.prefix(width / 8) }
                }
            }
            datasets[path] = [
                "dtype": dtype, "shape": dataset.shape, "data": Data(bytes).base64EncodedString(),
                "attrs": snapshot.datasetAttributes[path] ?? [:],
            ]
        }
        return ["file": file, "groups": snapshot.groups, "datasets": datasets]
    }
}
