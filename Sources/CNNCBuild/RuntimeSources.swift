import Foundation

/// The sources a model package compiles with its generated code: the targets
/// in `targets`, copied next to the model so the package builds offline with
/// nothing but Swift. cnnc finds them beside the CNNCRuntime folder
/// `CNNC_RUNTIME_PATH` points at, else in `share/cnnc/Sources` beside the
/// `bin` folder of an installed cnnc (`Tools/install.sh`), else in the
/// checkout it was built from.
public struct RuntimeSources: Sendable {
    /// The targets, each with the ones it depends on, in the order they build:
    /// the C vector operations, the runtime generated code imports, then
    /// Keras's fit around it, then the model executable's modes.
    public static let targets: [(name: String, dependencies: [String])] = [
        ("CNNCSIMD", []),
        ("CNNCRuntime", ["CNNCSIMD"]),
        ("CNNCTraining", ["CNNCRuntime"]),
        ("CNNCRunner", ["CNNCRuntime", "CNNCTraining"]),
    ]

    /// The folder holding the targets' folders (a checkout's Sources/).
    public var folder: String
    /// Every source file (Swift, and CNNCSIMD's C and header), by target and path inside the target's folder.
    public var files: [(target: String, name: String, text: String)]

    public static func locate() throws(BuildError) -> RuntimeSources {
        // This file is Sources/CNNCBuild/RuntimeSources.swift in the checkout.
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CNNCRuntime").path
        let folder = runtimeFolder(environment: ProcessInfo.processInfo.environment["CNNC_RUNTIME_PATH"],
                                   executable: Bundle.main.executablePath, checkout: checkout)
        return try read(folder: (folder as NSString).deletingLastPathComponent)
    }

    /// The CNNCRuntime folder to copy: the one named by `CNNC_RUNTIME_PATH`,
    /// else an installed one (`PREFIX/share/cnnc/Sources/CNNCRuntime` for
    /// `PREFIX/bin/cnnc`), else the checkout's.
    static func runtimeFolder(environment: String?, executable: String?, checkout: String) -> String {
        if let environment, !environment.isEmpty { return environment }
        if let executable {
            let resolved = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
            let installed = resolved.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/cnnc/Sources/CNNCRuntime").path
            if FileManager.default.fileExists(atPath: installed) { return installed }
        }
        return checkout
    }

    private static func read(folder: String) throws(BuildError) -> RuntimeSources {
        var files: [(target: String, name: String, text: String)] = []
        for target in targets.map(\.name) {
            files += try sourceFiles(of: target, in: folder)
        }
        return RuntimeSources(folder: folder, files: files)
    }

    /// The source files of one target, subfolders too (Verification/, Data/,
    /// include/): targets are organised by job.
    private static func sourceFiles(of target: String, in sources: String) throws(BuildError) -> [(target: String, name: String, text: String)] {
        let folder = "\(sources)/\(target)"
        guard FileManager.default.fileExists(atPath: folder), let names = FileManager.default.subpaths(atPath: folder) else {
            throw BuildError("cannot find the \(target) sources at \(folder); set CNNC_RUNTIME_PATH to the Sources/CNNCRuntime folder of a cnnc checkout")
        }
        var files: [(target: String, name: String, text: String)] = []
        for name in names.sorted() where [".swift", ".c", ".h"].contains(where: name.hasSuffix) {
            guard let text = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) else {
                throw BuildError("cannot read \(folder)/\(name)")
            }
            files.append((target, name, text))
        }
        guard !files.isEmpty else { throw BuildError("\(folder) holds no sources of \(target)") }
        return files
    }
}

/// Why a model could not be built or run, in words a user can act on.
public struct BuildError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
