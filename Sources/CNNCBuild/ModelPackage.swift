import Foundation

/// A SwiftPM package for one generated model: the model and a command-line
/// runner as an executable, the runtime, training and runner targets
/// (`RuntimeSources`) as libraries, compiled with the flags
/// generated kernels need. `cnnc predict` builds it in a cache folder named
/// by a fingerprint of its sources, so an unchanged model is not rebuilt.
public struct ModelPackage: Sendable {
    public var typeName: String
    /// The generated model's files, by name (`ModelGenerator.renderFiles`):
    /// the type, and its training extension or later kernels beside it.
    public var generatedFiles: [(name: String, text: String)]
    public var runtime: RuntimeSources
    /// The CPU the model is compiled for: the building machine's own
    /// (`native`), or a kind's baseline (`TargetCPU.compilerCPU(host:buildsHere:)`:
    /// `haswell` for AVX2 kernels on an AVX-512 machine, `znver5` in a package
    /// for a Zen 5 written elsewhere).
    public var compilerCPU: String
    /// Whether the generated model leaves out its training extension
    /// (`ModelGenerator.includesTraining`); the cache names its folder so.
    public var inferenceOnly: Bool

    public init(typeName: String, generatedFiles: [(name: String, text: String)], runtime: RuntimeSources,
                compilerCPU: String = "native", inferenceOnly: Bool = false) {
        self.typeName = typeName
        self.generatedFiles = generatedFiles
        self.runtime = runtime
        self.compilerCPU = compilerCPU
        self.inferenceOnly = inferenceOnly
    }

    /// Every file of the package, by path inside it.
    public var files: [(path: String, text: String)] { files(packageName: "\(typeName)Runner") }

    /// The same files with another package name in the manifest (`Workbench`
    /// names every model's package alike).
    func files(packageName: String) -> [(path: String, text: String)] {
        var files: [(path: String, text: String)] = [
            ("Package.swift", manifest(packageName: packageName)),
            ("Sources/Model/main.swift", "import CNNCRunner\n\nCommandLineRunner.main(\(typeName).self)\n"),
        ]
        files.insert(contentsOf: generatedFiles.map { ("Sources/Model/\($0.name)", $0.text) }, at: 1)
        files += runtime.files.map { ("Sources/\($0.target)/\($0.name)", $0.text) }
        return files
    }

    private func manifest(packageName: String) -> String {
        """
        // swift-tools-version: 6.1
        // Made by cnnc: a generated model, its runtime and a command-line runner.
        import PackageDescription

        let package = Package(
            name: "\(packageName)",
            targets: [
        \(libraryTargets)
                .executableTarget(
                    name: "Model",
                    dependencies: ["CNNCRuntime", "CNNCRunner"],
                    // -O, not -Ounchecked: measured, -Ounchecked made mnist_convnet 1.8x slower
                    // (105 against 59 µs a sample); the kernels index raw pointers, so it has little to remove.
                    swiftSettings: \(GeneratedCodeFlags.swiftSettings(cpu: compilerCPU))
                ),
            ],
            swiftLanguageModes: [.v6]
        )

        """
    }

    /// `.target(name: "CNNCTraining", dependencies: ["CNNCRuntime"]),` and so on, one line each.
    private var libraryTargets: String {
        RuntimeSources.targets.map { target in
            let dependencies = target.dependencies.isEmpty ? "" : ", dependencies: [\(target.dependencies.map { "\"\($0)\"" }.joined(separator: ", "))]"
            return "        .target(name: \"\(target.name)\"\(dependencies)),"
        }.joined(separator: "\n")
    }

    /// The fingerprint of everything that decides the built binary.
    public var fingerprint: String {
        StableHash.hex(files.flatMap { [$0.path, $0.text] })
    }

    /// Writes the package into `folder` (files whose bytes are unchanged are left alone).
    public func write(to folder: String) throws(BuildError) {
        for file in files {
            try ChangedFile.write(file.text, to: "\(folder)/\(file.path)")
        }
    }
}
