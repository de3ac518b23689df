import Foundation
import Subprocess

/// Builds a `ModelPackage` with `swift build -c release` in the `Workbench`
/// and keeps its executable in a cache folder named by the package's
/// fingerprint. A package built before is reused without running the
/// compiler, unless its executable no longer matches what the build recorded
/// (`BuiltExecutable`).
public struct ModelBuilder: Sendable {
    public var cacheRoot: String

    /// `$CNNC_CACHE_DIR`, else `$XDG_CACHE_HOME/cnnc`, else `~/.cache/cnnc`.
    public static func defaultCacheRoot() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["CNNC_CACHE_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return "\(xdg)/cnnc" }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/cnnc").path
    }

    public init(cacheRoot: String = ModelBuilder.defaultCacheRoot()) {
        self.cacheRoot = cacheRoot
    }

    public struct Built: Sendable {
        public var executable: String
        public var folder: String
        /// False when the cache already held this exact model.
        public var compiled: Bool
        public var seconds: Double
    }

    /// The cache's build of `package`, when it holds one intact; nothing is compiled.
    public func cached(_ package: ModelPackage) -> Built? {
        let folder = folder(of: package)
        guard BuiltExecutable.damage(executable: "\(folder)/Model", markerPath: "\(folder)/.built") == nil else { return nil }
        return Built(executable: "\(folder)/Model", folder: folder, compiled: false, seconds: 0)
    }

    /// `models/<Type>-<fingerprint>`, or `<Type>-inference-<fingerprint>` for a model without its training extension.
    private func folder(of package: ModelPackage) -> String {
        "\(cacheRoot)/models/\(package.typeName)\(package.inferenceOnly ? "-inference" : "")-\(package.fingerprint)"
    }

    public func build(_ package: ModelPackage, log: @escaping @Sendable (String) -> Void) async throws(BuildError) -> Built {
        let folder = folder(of: package)
        let executable = "\(folder)/Model"
        let marker = "\(folder)/.built"
        guard let damage = BuiltExecutable.damage(executable: executable, markerPath: marker) else {
            return Built(executable: executable, folder: folder, compiled: false, seconds: 0)
        }
        try package.checkCompilesHere()
        let workbench = Workbench(folder: Workbench.defaultFolder(cacheRoot: cacheRoot))
        return try await workbench.locked(log: log) { () async throws(BuildError) -> Built in
            // Another cnnc may have built this very model while this one waited.
            if BuiltExecutable.damage(executable: executable, markerPath: marker) == nil {
                return Built(executable: executable, folder: folder, compiled: false, seconds: 0)
            }
            if FileManager.default.fileExists(atPath: marker) {
                log("the cached build in \(folder) is damaged (\(damage)); building it again")
                try? FileManager.default.removeItem(atPath: marker)
            }
            try workbench.write(package.files(packageName: Workbench.packageName))
            log("compiling \(package.typeName) (\(Self.grouped(package.generatedLines)) lines of generated Swift; release, -target-cpu \(package.compilerCPU)) in \(workbench.folder)")
            // A large model compiles for minutes: say it is still going rather than fall silent.
            let ticker = Task {
                var elapsed = 0
                while true {
                    try await Task.sleep(for: .seconds(30))
                    elapsed += 30
                    log("still compiling \(package.typeName): \(elapsed) s")
                }
            }
            defer { ticker.cancel() }
            let seconds = try await Self.swiftBuild(workbench.folder)
            try workbench.copyExecutable(to: executable)
            guard let built = BuiltExecutable(path: executable) else {
                throw BuildError("swift build finished in \(workbench.folder) but \(executable) cannot be read")
            }
            do {
                try built.marker.write(toFile: marker, atomically: true, encoding: .utf8)
            } catch {
                throw BuildError("cannot record the finished build in \(marker): \(error.localizedDescription)")
            }
            return Built(executable: executable, folder: folder, compiled: true, seconds: seconds)
        }
    }

    /// 12,345: thousands grouped as the summary groups them.
    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        return digits.enumerated().map { index, digit in
            index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
        }.joined()
    }

    /// Where `swift build` of the package in `folder` keeps its temporary
    /// files (its `TMPDIR`): SwiftPM leaves an empty `TemporaryDirectory.*`
    /// behind in the temporary folder at every build (six a build with Swift
    /// 6.3 on Linux), which in /tmp grew by thousands over a day of compiles.
    /// A folder of this build's own in the package's `.build`, removed after:
    /// absolute, since the tools read TMPDIR from folders of their own (a
    /// relative `cnnc build` output or CNNC_CACHE_DIR), and named by the
    /// process and a UUID, since `cnnc build` into one folder takes no lock
    /// and one build must not remove another's.
    static func temporaryFolder(forPackage folder: String) -> String {
        URL(fileURLWithPath: folder).standardizedFileURL.path + "/.build/\(temporaryPrefix)\(getpid())-\(UUID().uuidString)"
    }
    static let temporaryPrefix = "cnnc-tmp-"

    /// `swift build -c release` in `folder`; the transcript's tail is the error on failure.
    /// Returns the seconds it took.
    public static func swiftBuild(_ folder: String) async throws(BuildError) -> Double {
        let start = Date()
        let temporary = temporaryFolder(forPackage: folder)
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        } catch {
            throw BuildError("cannot create the build's temporary folder \(temporary): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .name("swift"), arguments: ["build", "-c", "release", "--package-path", folder],
                environment: .inherit.updating(["TMPDIR": temporary]),
                output: .string(limit: 1 << 22), error: .string(limit: 1 << 22))
        } catch {
            throw BuildError("cannot run the Swift toolchain ('swift' on PATH), which compiles the model: \(error)")
        }
        guard case .exited(0) = result.terminationStatus else {
            let transcript = (result.standardOutput + result.standardError)
                .split(separator: "\n").suffix(40).joined(separator: "\n")
            throw BuildError("swift build of the generated model failed (\(result.terminationStatus)) in \(folder):\n\(transcript)")
        }
        return Date().timeIntervalSince(start)
    }
}
