import ArgumentParser
import CNNCCore

extension TargetCPU: ExpressibleByArgument {}

/// Which CPU kind the kernels of a model cnnc generates are shaped for:
/// `--target-cpu` where a command has it, else `CNNC_TARGET_CPU`, else this
/// machine's (`TargetCPU.host`).
enum TargetChoice {
    static func resolve(_ option: TargetCPU? = nil) throws -> TargetCPU {
        if let option { return option }
        do throws(TargetCPU.UnknownTarget) {
            return try TargetCPU.fromEnvironment()
        } catch {
            throw ValidationError("\(TargetCPU.environmentVariable): \(error.description)")
        }
    }

    /// The CPU to compile a model for (`TargetCPU.compilerCPU(host:buildsHere:)`):
    /// refused when the model is to be built here and this machine cannot run
    /// the chosen kind.
    static func compilerCPU(for target: TargetCPU, buildsHere: Bool = true) throws -> String {
        guard let cpu = target.compilerCPU(host: TargetCPU.host, buildsHere: buildsHere) else {
            throw ValidationError("this CPU has no AVX-512, so a model built for \(target.rawValue) could not run here; generate it with `cnnc generate --target-cpu \(target.rawValue)` and build it on such a machine, or unset \(TargetCPU.environmentVariable)")
        }
        return cpu
    }
}
