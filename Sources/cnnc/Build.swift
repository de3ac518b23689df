import ArgumentParser
import CNNCBuild
import CNNCCore
import Foundation

/// `cnnc build SPEC [--output DIR]`: a ready-to-build SwiftPM package for one
/// spec (the model, the runtime, and a command-line runner), built in release.
/// The same package `cnnc predict` builds in its cache.
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a SwiftPM package for a spec (model, runtime, runner) and build it in release mode.")

    @Argument(help: ModelArgument.help)
    var spec: String

    @Option(help: "Folder for the package (default: <spec name>-model).")
    var output: String?

    @Flag(help: "Only write the package; do not run swift build.")
    var noBuild = false

    @Option(help: "Shape the kernels for avx2, avx512-256 (AMD Zen 4), avx512 (Intel Xeon) or avx512-zen5 (AMD Zen 5), and compile for it; default: CNNC_TARGET_CPU, else this machine.")
    var targetCPU: TargetCPU?

    func run() async throws {
        let model = try Diagnostics.loadCompilableOrExit(spec)
        let folder = output ?? SwiftNames.fileName(forSpecPath: spec).replacingOccurrences(of: ".cnnc.swift", with: "-model")
        let target = try TargetChoice.resolve(targetCPU)
        // A package only written may be built on the machine it was shaped for.
        let compilerCPU = try TargetChoice.compilerCPU(for: target, buildsHere: !noBuild)
        do throws(BuildError) {
            let package = try CompiledModels.package(for: model, spec: spec, target: target, compilerCPU: compilerCPU)
            try package.write(to: folder)
            print("wrote the package for \(package.typeName) in \(folder)")
            guard !noBuild else { return }
            try package.checkCompilesHere()
            let seconds = try await ModelBuilder.swiftBuild(folder)
            print(String(format: "built %@/.build/release/Model in %.1f s", folder, seconds))
            print("run it: \(folder)/.build/release/Model WEIGHTS.safetensors INPUT.npy OUTPUT.npy THREADS")
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
    }
}
