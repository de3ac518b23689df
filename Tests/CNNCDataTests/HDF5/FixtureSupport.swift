import Foundation
import Testing

@testable import CNNCData

/// Fixtures are written by Tools/keras-fixtures/make_hdf5_fixtures.py (see its
/// header for how to rerun it) into Tests/Fixtures/hdf5.
enum Fixture {
    static let directory = TestSupport.repository.appendingPathComponent("Tests/Fixtures/hdf5")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func open(_ name: String) throws -> HDF5File {
        try HDF5File.read(path: path(name))
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HDF5Error(message: "\(name) is not a JSON object")
        }
        return object
    }
}

/// The error a throwing expression throws, for checking its message.
func thrownError<T>(_ body: () throws(HDF5Error) -> T) -> HDF5Error? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Every dataset below `group`, depth first, in stored order.
func allDatasets(in group: HDF5Group) -> [HDF5Dataset] {
    group.datasets + group.groups.flatMap { allDatasets(in: $0) }
}

/// Every group at and below `group`.
func allGroups(in group: HDF5Group) -> [HDF5Group] {
    [group] + group.groups.flatMap { allGroups(in: $0) }
}

/// Reads little-endian integers out of fixture bytes, to find structures to damage.
extension Array where Element == UInt8 {
    func uint64(at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { value, index in value | UInt64(self[offset + index]) << (8 * UInt64(index)) }
    }

    mutating func setUInt64(_ value: UInt64, at offset: Int) {
        for index in 0..<8 { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
    }

    mutating func setUInt32(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    /// Offsets where `signature` ("TREE", "SNOD", ...) starts.
    func offsets(of signature: String) -> [Int] {
        let pattern = Array(signature.utf8)
        guard count >= pattern.count else { return [] }
        return (0...(count - pattern.count)).filter { self[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }
}
