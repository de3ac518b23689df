@testable import CNNCData
import Testing

/// Every mistake a caller can make is an error that says what is wrong, never a trap or
/// a file HDF5 cannot read.
@Suite struct ErrorTests {
    private func message(_ action: (inout HDF5Builder) throws -> Void) -> String {
        var builder = HDF5Builder()
        do {
            try action(&builder)
            _ = try builder.bytes()
            return "no error"
        } catch let error as HDF5WriteError {
            return error.message
        } catch {
            return "an error of another type: \(error)"
        }
    }

    @Test func valuesThatDoNotFillTheShape() {
        #expect(message { try $0.createDataset("w", .float32(shape: [2, 3], [1, 2, 3, 4, 5])) }
            == "dataset 'w' has shape (2, 3), which holds 6 elements, but 5 float32 values were given")
        #expect(message { try $0.createDataset("a/b", .int32(shape: [], [])) }
            == "dataset 'a/b' has shape (), which holds 1 element, but 0 int32 values were given")
        #expect(message { try $0.createDataset("w", .float32(shape: [0], [1])) }
            == "dataset 'w' has shape (0,), which holds 0 elements, but 1 float32 value was given")
    }

    @Test func shapesThatCannotBe() {
        #expect(message { try $0.createDataset("w", .float32(shape: [2, -1], [])) }
            == "dataset 'w' has shape (2, -1) with a negative dimension")
        #expect(message { try $0.createDataset("w", .float32(shape: [Int.max, 2], [])) }
            == "dataset 'w' has shape (\(Int.max), 2), more elements than can be counted")
        #expect(message { try $0.createDataset("w", .float32(shape: Array(repeating: 1, count: 33), [1])) }
            == "dataset 'w' has 33 dimensions; HDF5 allows at most 32")
    }

    @Test(arguments: [
        ("", "a dataset needs a name; '' is the root group"),
        ("/", "a dataset needs a name; '/' is the root group"),
        ("a//b", "the path 'a//b' has an empty name (a '//' or a trailing '/')"),
        ("a/", "the path 'a/' has an empty name (a '//' or a trailing '/')"),
        ("a/./b", "the path 'a/./b' has a member named '.', which HDF5 reads as the group itself"),
        (".", "the path '.' has a member named '.', which HDF5 reads as the group itself"),
        ("a\u{0}b", "the path 'a\u{0}b' has a name with a NUL character, which HDF5 names cannot hold"),
    ])
    func namesThatCannotBeLinks(path: String, expected: String) {
        #expect(message { try $0.createDataset(path, .float32(shape: [], [1])) } == expected)
    }

    /// Names that look odd are still valid HDF5 link names, and h5py writes them.
    @Test func oddButValidNames() throws {
        var builder = HDF5Builder()
        for name in ["..", "model.weights.h5", " ", "ünï 名前", "/absolute"] {
            try builder.createGroup(name)
        }
        #expect(throws: Never.self) { try builder.bytes() }
    }

    @Test func existingObjects() {
        #expect(message { try $0.createGroup("a/b"); try $0.createGroup("a/b") } == "'a/b' already exists")
        #expect(message { try $0.createGroup("a/b"); try $0.createDataset("a/b", .float32(shape: [], [1])) }
            == "'a/b' already exists")
        #expect(message { try $0.createDataset("a", .float32(shape: [], [1])); try $0.createGroup("a/b") }
            == "'a' is a dataset, not a group")
        #expect(message { try $0.createGroup("/") } == "the root group '/' always exists; it cannot be created")
    }

    @Test func attributes() {
        #expect(message { try $0.setAttribute("name", "x", on: "missing/vars") } == "there is no 'missing'")
        #expect(message { try $0.setAttribute("", "x", on: "/") } == "an attribute on '/' needs a name")
        #expect(message { try $0.setAttribute("näme", "x", on: "/") }
            == "attribute 'näme' on '/': attribute names must be ASCII, without NUL, under 32 KiB")
        #expect(message { try $0.createGroup("g"); try $0.setAttribute("name", "a\u{0}b", on: "g") }
            == "attribute 'name' on 'g': the value must not contain NUL and must be under 4 GiB")
    }

    /// Setting an attribute again replaces its value, as h5py's `attrs[name] = value` does.
    @Test func attributeReplaced() throws {
        var builder = HDF5Builder()
        try builder.setAttribute("name", "first", on: "/")
        try builder.setAttribute("name", "second", on: "")
        let file = try HDF5File(bytes: builder.bytes(), path: "replace.h5")
        #expect(file.root.attributes.map(\.name) == ["name"])
        #expect(try file.root.attribute("name").string == "second")
    }
}
