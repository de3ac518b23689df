import ArgumentParser
import CNNCCore
import Foundation

/// `cnnc check SPEC...`: validate specs; print only diagnostics; exit non-zero on any error.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check one or more specs, printing only diagnostics; the exit status says whether all are valid.")

    @Argument(help: "Spec files to check.")
    var specs: [String]

    func validate() throws {
        if specs.isEmpty { throw ValidationError("name at least one spec file to check") }
    }

    func run() throws {
        var failed = false
        for spec in specs {
            switch SpecFile.load(spec) {
            case .success(let model):
                Diagnostics.print(model.notes)
                // Checking compiles nothing: a model too large for this machine is a warning.
                if let gap = model.memoryGap(physicalMemory: ProcessInfo.processInfo.physicalMemory, severity: .warning) {
                    Diagnostics.print([gap])
                }
            case .failure(let error):
                Diagnostics.print(error.diagnostics)
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
