import Foundation

/// The one package folder where cnnc compiles the models it runs. Every model
/// package holds the same runtime, training and runner targets; compiled in a
/// folder of their own per model, they took about 50 of a small model's 56
/// seconds. Here SwiftPM compiles them once and every later model only
/// compiles its generated file and links (about 10 seconds). The finished
/// executable is copied out to the model's cache folder (`ModelBuilder`).
///
/// One build at a time uses the folder: `locked` holds an exclusive `flock`
/// on a file beside it, which the system releases when the process ends, so
/// a killed cnnc never leaves it locked.
struct Workbench {
    /// The package's folder.
    var folder: String

    /// `$CNNC_WORKBENCH_DIR`, else `workbench` in the cache. Tests give every
    /// run one workbench while each test keeps a model cache of its own.
    static func defaultFolder(cacheRoot: String) -> String {
        let explicit = ProcessInfo.processInfo.environment["CNNC_WORKBENCH_DIR"]
        if let explicit, !explicit.isEmpty { return explicit }
        return "\(cacheRoot)/workbench"
    }

    /// The package's name, the same for every model: a manifest that changes
    /// makes SwiftPM plan the whole build again.
    static let packageName = "CNNCWorkbench"

    /// Runs `body` while this process holds the workbench; waits, saying so,
    /// while another process holds it.
    func locked<T>(log: @Sendable (String) -> Void, _ body: () async throws(BuildError) -> T) async throws(BuildError) -> T {
        let lockPath = folder + ".lock"
        do {
            try FileManager.default.createDirectory(atPath: (lockPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw BuildError("cannot create the folder of \(lockPath): \(error.localizedDescription)")
        }
        // O_CLOEXEC: swift build, started below, must not inherit (and outlive us holding) the lock.
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw BuildError("cannot open the workbench lock \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            log("waiting for another cnnc to finish compiling in \(folder)")
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    throw BuildError("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
                }
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }

    /// Makes the folder hold exactly `files` under Sources/ (a file left from
    /// another cnnc version would be compiled too), leaving unchanged files
    /// untouched so SwiftPM does not compile them again.
    func write(_ files: [(path: String, text: String)]) throws(BuildError) {
        for file in files {
            try ChangedFile.write(file.text, to: "\(folder)/\(file.path)")
        }
        let sources = "\(folder)/Sources"
        let wanted = Set(files.map(\.path))
        for path in FileManager.default.subpaths(atPath: sources) ?? [] {
            var isFolder: ObjCBool = false
            let full = "\(sources)/\(path)"
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue,
                  !wanted.contains("Sources/\(path)") else { continue }
            do {
                try FileManager.default.removeItem(atPath: full)
            } catch {
                throw BuildError("cannot remove \(full), left from an earlier build: \(error.localizedDescription)")
            }
        }
    }

    /// Copies the built executable to `destination` under a temporary name and
    /// renames it into place, so a reader never sees half a binary.
    func copyExecutable(to destination: String) throws(BuildError) {
        let built = "\(folder)/.build/release/Model"
        let temporary = "\(destination).partial-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: built, toPath: temporary)
        } catch {
            throw BuildError("cannot copy the built model \(built) to \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw BuildError("cannot move \(temporary) to \(destination): \(reason)")
        }
    }
}
