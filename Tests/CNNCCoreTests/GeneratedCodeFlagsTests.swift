import CNNCBuild
import Testing

/// The flags of generated code are written once, in `GeneratedCodeFlags`;
/// the manifests and the README, which cannot import it, must say the same.
@Suite struct GeneratedCodeFlagsTests {
    @Test func manifestsAndReadmeShowTheFlagsModelPackagesUse() throws {
        let settings = GeneratedCodeFlags.swiftSettings
        #expect(settings == #"[.unsafeFlags(["-O", "-target-cpu", "native"]), .define("CNNC_FMA")]"#)
        let flags = GeneratedCodeFlags.unsafeFlags.map { "\"\($0)\"" }.joined(separator: ", ")
        let defines = GeneratedCodeFlags.defines.map { "    .define(\"\($0)\"),\n" }.joined()
        let manifest = try RepositoryFiles.read("Package.swift")
        #expect(manifest.contains("let generatedCodeSettings: [SwiftSetting] = [\n    .unsafeFlags([\(flags)]),\n\(defines)]"))
        #expect(try RepositoryFiles.read("README.md").contains("swiftSettings: \(settings)"))
        #expect(try RepositoryFiles.read("Examples/Classifier/Package.swift").contains("swiftSettings: \(settings)"))
    }
}
