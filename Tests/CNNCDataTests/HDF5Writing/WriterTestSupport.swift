import Foundation
@testable import CNNCData

/// Helpers shared by the writer's tests.
enum WriterTestSupport {
    /// The writer's golden file and the Python checks' recorded outputs.
    static let expectedDirectory = TestSupport.repository.appendingPathComponent("Tests/Fixtures/hdf5-writing")
    /// check_with_h5py.py.
    static let scriptsDirectory = TestSupport.repository.appendingPathComponent("Tools/keras-fixtures")

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hdf5-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A Python with h5py: $HDF5_CHECK_PYTHON, else cnnc's Keras environment.
    static let python: String? = {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["HDF5_CHECK_PYTHON"],
            TestSupport.repository.appendingPathComponent(".venv-keras/bin/python").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs a command; returns its exit status and its output and error output together.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Everything a file holds, as plain values that compare with `==`: what a test
/// expects is written the same way, so a missing or extra object shows as a difference.
struct Snapshot: Equatable, CustomStringConvertible {
    enum Values: Equatable {
        /// float32 values by bit pattern, so that NaN and -0 compare exactly.
        case float32([UInt32])
        case integers(bits: Int, [Int64])
    }

    struct Dataset: Equatable {
        var shape: [Int]
        var values: Values
    }

    /// Paths without a leading "/", "/" for the root; attributes by name.
    var groups: [String: [String: String]] = [:]
    var datasets: [String: Dataset] = [:]
    var datasetAttributes: [String: [String: String]] = [:]

    var description: String {
        let lines = groups.keys.sorted().map { "group \($0) \(groups[$0]!)" }
            + datasets.keys.sorted().map { "dataset \($0) \(datasets[$0]!) \(datasetAttributes[$0] ?? [:])" }
        return lines.joined(separator: "\n")
    }

    /// What a builder was told, path by path.
    init(groups: [String: [String: String]], datasets: [String: HDF5Array], datasetAttributes: [String: [String: String]] = [:]) {
        self.groups = groups
        self.datasetAttributes = datasetAttributes
        for (path, array) in datasets {
            let values: Values
            switch array.elements {
            case .float32(let floats): values = .float32(floats.map(\.bitPattern))
            case .int32(let integers): values = .integers(bits: 32, integers.map(Int64.init))
            case .int64(let integers): values = .integers(bits: 64, integers)
            }
            self.datasets[path] = Dataset(shape: array.shape, values: values)
        }
    }

    /// What the reader finds in a file.
    init(reading file: HDF5File) throws {
        try visit(file.root)
    }

    private mutating func visit(_ group: HDF5Group) throws {
        groups[group.path] = try attributes(group.attributes)
        for dataset in group.datasets {
            let values: Values
            switch dataset.elementType {
            case .float(bits: 32): values = .float32(try dataset.floats().map(\.bitPattern))
            case .signedInteger(let bits): values = .integers(bits: bits, try dataset.integers())
            default: throw HDF5WriteError(message: "\(dataset.path): unexpected type \(dataset.elementType)")
            }
            datasets[dataset.path] = Dataset(shape: dataset.shape, values: values)
            let attributes = try attributes(dataset.attributes)
            if !attributes.isEmpty { datasetAttributes[dataset.path] = attributes }
        }
        for child in group.groups {
            try visit(child)
        }
        if group.children.count != group.groups.count + group.datasets.count {
            throw HDF5WriteError(message: "\(group.path) has members that are neither groups nor datasets")
        }
    }

    private func attributes(_ list: [HDF5Attribute]) throws -> [String: String] {
        var result: [String: String] = [:]
        for attribute in list {
            guard attribute.shape == [], let value = attribute.string else {
                throw HDF5WriteError(message: "attribute \(attribute.name) is not a scalar string: \(attribute)")
            }
            result[attribute.name] = value
        }
        return result
    }
}
