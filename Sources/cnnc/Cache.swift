import ArgumentParser
import CNNCBuild
import Foundation

/// `cnnc cache [--clean]`: what the compile cache holds, with sizes, and a
/// way to empty it. Models are rebuilt on their next use.
struct Cache: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the compiled models cnnc keeps (sizes, last built), or remove them with --clean.",
        discussion: "The cache is ~/.cache/cnnc, or $XDG_CACHE_HOME/cnnc, or $CNNC_CACHE_DIR; its workbench (or $CNNC_WORKBENCH_DIR) is where models compile.")

    @Flag(help: "Remove every compiled model and the workbench.")
    var clean = false

    func run() async throws {
        let cache = ModelCache()
        let models = cache.models()
        let workbench = cache.workbench
        let total = models.reduce(0) { $0 + $1.bytes } + (workbench?.bytes ?? 0)
        if clean {
            do throws(BuildError) {
                try await cache.clean { FileHandle.standardError.write(Data("cnnc: \($0)\n".utf8)) }
            } catch {
                FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
                throw ExitCode.failure
            }
            print("removed \(models.count) compiled model\(models.count == 1 ? "" : "s") and the workbench from \(cache.root) (\(Self.size(total)))")
            return
        }
        print("cache: \(cache.root)")
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        for model in models {
            print("  \(model.name.padding(toLength: max(40, model.name.count), withPad: " ", startingAt: 0))  \(Self.size(model.bytes).leftPadded(to: 9))  built \(formatter.string(from: model.modified))")
        }
        if let workbench {
            print("  \("workbench (the runtime, compiled once)".padding(toLength: 40, withPad: " ", startingAt: 0))  \(Self.size(workbench.bytes).leftPadded(to: 9))")
        }
        print("\(models.count) compiled model\(models.count == 1 ? "" : "s"), \(Self.size(total)) in all; cnnc cache --clean removes them")
    }

    /// "12.3 MB", in powers of 1,000 as `du --si` prints them.
    static func size(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
