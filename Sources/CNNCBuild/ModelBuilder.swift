import Foundation
import Subprocess

/// Builds a `ModelPackage` with `swift build -c release` in a cache folder
/// and returns the path of its executable. A package whose fingerprint has
/// been built before is reused without running the compiler, unless its
/// executable no longer matches what the build recorded (`BuiltExecutable`).
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

    public func build(_ package: ModelPackage, log: @Sendable (String) -> Void) async throws(BuildError) -> Built {
        let folder = "\(cacheRoot)/models/\(package.typeName)-\(package.fingerprint)"
        let executable = "\(folder)/.build/release/Model"
        let marker = "\(folder)/.built"
        let damage = BuiltExecutable.damage(executable: executable, markerPath: marker)
        guard let damage else {
            return Built(executable: executable, folder: folder, compiled: false, seconds: 0)
        }
        if FileManager.default.fileExists(atPath: marker) {
            // A damaged binary may look up to date to swift build: remove it so it is linked again.
            log("the cached build in \(folder) is damaged (\(damage)); building it again")
            try? FileManager.default.removeItem(atPath: marker)
            try? FileManager.default.removeItem(atPath: executable)
        }
        try package.write(to: folder)
        log("compiling \(package.typeName) (release, -target-cpu native) in \(folder)")
        let seconds = try await Self.swiftBuild(folder)
        guard let built = BuiltExecutable(path: executable) else {
            throw BuildError("swift build finished in \(folder) but left no readable executable at \(executable)")
        }
        do {
            try built.marker.write(toFile: marker, atomically: true, encoding: .utf8)
        } catch {
            throw BuildError("cannot record the finished build in \(marker): \(error.localizedDescription)")
        }
        return Built(executable: executable, folder: folder, compiled: true, seconds: seconds)
    }

    /// `swift build -c release` in `folder`; the transcript's tail is the error on failure.
    /// Returns the seconds it took.
    public static func swiftBuild(_ folder: String) async throws(BuildError) -> Double {
        let start = Date()
        let result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .name("swift"), arguments: ["build", "-c", "release", "--package-path", folder],
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
