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

/// The folders a command will write its files into, made before anything
/// is compiled or run, so a path that cannot be written is said at once,
/// not after the epochs or the evaluation it would lose.
enum OutputFolders {
    /// For each file path, its folder; for each folder path, itself.
    static func make(files: [String?], folders: [String?] = []) throws {
        let places = files.compactMap { $0 }.map { (URL(fileURLWithPath: $0).deletingLastPathComponent(), $0) }
            + folders.compactMap { $0 }.map { (URL(fileURLWithPath: $0), $0) }
        for (folder, path) in places {
            try RuntimeCheck.asValidation { () throws(RuntimeError) in try AtomicFile.makeFolder(folder, for: path) }
        }
    }
}
