import ArgumentParser
import CNNCRuntime
import Foundation

/// A picture or document a command makes: to standard output, or replacing
/// `path` as a whole (through a temporary file, so a reader never sees half).
enum TextOutput {
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            print(text, terminator: "")
            return
        }
        do {
            try AtomicFile.write(Data(text.utf8), to: path)
        } catch {
            // The message names the path already.
            throw ValidationError(error.message)
        }
        print("wrote \(path)")
    }
}
