import ArgumentParser
import CNNCBuild
import CNNCCore
import Foundation

/// `cnnc generate SPEC... [--output-dir DIR]`: one Swift file per spec.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate specialized Swift source for each spec (one <spec>.cnnc.swift per spec).")

    @Argument(help: "Spec files (.yaml, .json, or Keras model.to_json() files).")
    var specs: [String]

    @Option(help: "Folder to write into (default: the current folder).")
    var outputDir: String = "."

    @Flag(help: "Print only diagnostics (the build plugin uses this).")
    var quiet = false

    @Option(help: "Also write the Swift list of the generated models (`models`, spec and type) to this file.")
    var registry: String?

    @Flag(help: "Print each model's plan as JSON (kernels, arena regions, training phases) instead of writing Swift.")
    var emitPlan = false

    @Option(help: "Shape the kernels' register blocks for avx2 (16 registers), avx512-256 (AMD Zen 4), avx512 (Intel Xeon) or avx512-zen5 (AMD Zen 5); default: CNNC_TARGET_CPU, else this machine.")
    var targetCPU: TargetCPU?

    func validate() throws {
        if specs.isEmpty { throw ValidationError("name at least one spec file") }
    }

    func run() throws {
        let target = try TargetChoice.resolve(targetCPU)
        var failed = false
        for spec in specs {
            switch SpecFile.load(spec) {
            case .failure(let error):
                Diagnostics.print(error.diagnostics)
                failed = true
            case .success(let model):
                Diagnostics.print(model.notes)
                if emitPlan {
                    print(ModelGenerator(model: model, specPath: spec, target: target).program.jsonText(), terminator: "")
                    continue
                }
                let source = ModelGenerator(model: model, specPath: spec, target: target).generate()
                let path = (outputDir as NSString).appendingPathComponent(SwiftNames.fileName(forSpecPath: spec))
                let changed = try writeIfChanged(source, to: path)
                if !quiet { print("\(changed ? "wrote" : "unchanged") \(path)") }
            }
        }
        if failed { throw ExitCode.failure }
        if let registry {
            let changed = try writeIfChanged(ModelRegistry.source(specPaths: specs), to: registry)
            if !quiet { print("\(changed ? "wrote" : "unchanged") \(registry)") }
        }
    }

    private func writeIfChanged(_ source: String, to path: String) throws -> Bool {
        do throws(BuildError) { return try ChangedFile.write(source, to: path) } catch { throw ValidationError(error.message) }
    }
}
