import Foundation
import Subprocess
import SystemPackage

/// What a child process (a model executable, Graphviz's dot) reads on its
/// standard input: an unlinked temporary file, not a pipe. swift-subprocess
/// traps in its own code when a child exits before reading all of a piped
/// input (swiftlang/swift-subprocess#367, open); from a file there is no
/// writer left to fail, and a child that stops early is reported by its
/// exit status like any other failure.
enum ChildInput {
    static func file(_ text: String) throws -> FileDescriptorInput {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-input-\(UUID().uuidString)").path
        let descriptor = try FileDescriptor.open(path, .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        // The name goes at once; the open descriptor keeps the bytes until the child is done.
        unlink(path)
        do {
            _ = try descriptor.writeAll(Array(text.utf8))
            _ = try descriptor.seek(offset: 0, from: .start)
        } catch {
            try? descriptor.close()
            throw error
        }
        return .fileDescriptor(descriptor, closeAfterSpawningProcess: true)
    }
}
