import ArgumentParser
import CNNCBuild
import CNNCCore
import CNNCRunner
import CNNCRuntime
import Foundation
import Subprocess

/// The build and run steps shared by the commands that execute a model.
enum CompiledModels {
    /// The SwiftPM package for one spec: generated model, runtime, runner.
    /// The generated code names the spec by its file name only, so the cache
    /// (keyed by the package's content) finds one build for a spec reached by
    /// a relative or an absolute path, or from another folder.
    /// The kernels are shaped for `TargetChoice`'s CPU and compiled for it.
    static func package(for model: CheckedModel, spec: String, target: TargetCPU, compilerCPU: String) throws(BuildError) -> ModelPackage {
        package(spec: spec, program: program(of: model, spec: spec, target: target), runtime: try RuntimeSources.locate(),
                compilerCPU: compilerCPU, includesTraining: true)
    }

    private static func program(of model: CheckedModel, spec: String, target: TargetCPU) -> ModelProgram {
        ModelGenerator(model: model, specPath: (spec as NSString).lastPathComponent, target: target).program
    }

    /// The package of an already planned model, whole or without its training extension.
    private static func package(spec: String, program: ModelProgram, runtime: RuntimeSources, compilerCPU: String,
                                includesTraining: Bool) -> ModelPackage {
        ModelPackage(
            typeName: SwiftNames.typeName(forSpecPath: spec),
            generatedFiles: ModelGenerator.renderFiles(program, includesTraining: includesTraining).map { ($0.name(forSpecPath: spec), $0.text) },
            runtime: runtime, compilerCPU: compilerCPU, inferenceOnly: !includesTraining)
    }

    /// What a command runs the model for: training and evaluation need the
    /// training extension; a forward pass alone does not.
    enum Use {
        case inference, training
    }

    /// The model's executable for `use`, compiled unless the cache holds it.
    /// For inference: the form without the training extension (about half
    /// the lines and less than half the compile: DenseNet121 at 64x64 30,564
    /// lines in 62 s against 61,408 in 165 s), or the whole model when the
    /// cache holds it already, built for `cnnc train`.
    static func build(_ model: CheckedModel, spec: String, for use: Use) async throws -> ModelBuilder.Built {
        let target = try TargetChoice.resolve()
        let compilerCPU = try TargetChoice.compilerCPU(for: target)
        let builder = ModelBuilder()
        do throws(BuildError) {
            // One plan and one read of the runtime serve both forms.
            let plan = program(of: model, spec: spec, target: target), runtime = try RuntimeSources.locate()
            let whole = package(spec: spec, program: plan, runtime: runtime, compilerCPU: compilerCPU, includesTraining: true)
            var chosen = whole
            if use == .inference {
                if let built = builder.cached(whole) { return built }
                chosen = package(spec: spec, program: plan, runtime: runtime, compilerCPU: compilerCPU, includesTraining: false)
            }
            return try await builder.build(chosen) { message in
                FileHandle.standardError.write(Data("cnnc: \(message)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Sends a built model executable a job on its standard input; its output
    /// and its own error line are passed through.
    static func run(_ executable: String, job: ModelJob) async throws {
        let result = try await Subprocess.run(
            .path(.init(executable)), arguments: ["job"], environment: childEnvironment, input: try ChildInput.file(try encoded(job)),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        if !result.standardOutput.isEmpty { print(result.standardOutput, terminator: "") }
        if !result.standardError.isEmpty { FileHandle.standardError.write(Data(result.standardError.utf8)) }
        guard case .exited(0) = result.terminationStatus else {
            // A verify that finds a layer off exits 1 after printing its table:
            // an answer, not a silent failure. A crash is one whatever it printed.
            let signaled = if case .signaled = result.terminationStatus { true } else { false }
            if result.standardError.isEmpty && (result.standardOutput.isEmpty || signaled) {
                reportSilentFailure(executable, result.terminationStatus)
            }
            throw ExitCode.failure
        }
    }

    /// The same on this process's own standard output and error, so long runs
    /// (training) show their progress as it happens.
    static func stream(_ executable: String, job: ModelJob) async throws {
        let input = try encoded(job)
        fflush(nil)  // every C stream: what cnnc printed comes before what the executable prints
        let result = try await Subprocess.run(
            .path(.init(executable)), arguments: ["job"], environment: childEnvironment, input: try ChildInput.file(input),
            output: .currentStandardOutput, error: .currentStandardError)
        guard case .exited(0) = result.terminationStatus else {
            // Its own errors went straight to the terminal; a crash prints none.
            if case .signaled = result.terminationStatus { reportSilentFailure(executable, result.terminationStatus) }
            throw ExitCode.failure
        }
    }

    /// A model executable that failed without a word (a crash, or a binary
    /// damaged after it was checked) still gets a line that says so.
    private static func reportSilentFailure(_ executable: String, _ status: TerminationStatus) {
        let how = switch status {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "was stopped by signal \(signal)"
        }
        FileHandle.standardError.write(Data("error: the model executable \(executable) \(how) without a message; delete its cache folder to rebuild it, and report this if it happens again\n".utf8))
    }

    /// The model executable ends when this process does (see `ParentWatch`).
    private static var childEnvironment: Environment {
        .inherit.updating([.init(rawValue: ParentWatch.variable)!: "\(getpid())"])
    }

    private static func encoded(_ job: ModelJob) throws -> String {
        try RuntimeCheck.asValidation { () throws(RuntimeError) in String(decoding: try job.encoded(), as: UTF8.self) }
    }
}
