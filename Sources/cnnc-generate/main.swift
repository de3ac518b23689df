import CNNCCore
import Foundation

// The plugins' generator: `cnnc-generate [--quiet] --output-dir DIR SPEC...`
// writes each spec's Swift into DIR exactly as `cnnc generate` does, through
// the same `ModelGenerator`. It links CNNCCore alone because SwiftPM builds
// every plugin's tool a second time, for the host: a package that uses the
// plugins then compiles the generator twice, not the whole of cnnc (training,
// data sets, the build driver, the command line).

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

var arguments = Array(CommandLine.arguments.dropFirst())
let quiet = arguments.contains("--quiet")
arguments.removeAll { $0 == "--quiet" }
guard let flag = arguments.firstIndex(of: "--output-dir"), flag + 1 < arguments.count else {
    fail("usage: cnnc-generate [--quiet] [--target-cpu NAME] --output-dir DIR SPEC... (the plugins' generator; by hand, use `cnnc generate`)")
}
let outputDir = arguments[flag + 1]
arguments.removeSubrange(flag...(flag + 1))
// The kernels' shapes: --target-cpu NAME, else CNNC_TARGET_CPU, else this machine's.
var target: TargetCPU
do throws(TargetCPU.UnknownTarget) {
    if let option = arguments.firstIndex(of: "--target-cpu"), option + 1 < arguments.count {
        guard let named = TargetCPU(rawValue: arguments[option + 1]) else { throw TargetCPU.UnknownTarget(name: arguments[option + 1]) }
        target = named
        arguments.removeSubrange(option...(option + 1))
    } else {
        target = try TargetCPU.fromEnvironment()
    }
} catch {
    fail("cnnc-generate: \(error.description)")
}

var failed = false
for spec in arguments {
    switch Frontend.load(path: spec) {
    case .failure(let error):
        printError(error.description)
        failed = true
    case .success(let model):
        if !model.notes.isEmpty { printError(model.notes.map(\.description).joined(separator: "\n")) }
        let source = Data(ModelGenerator(model: model, specPath: spec, target: target).generate().utf8)
        let path = URL(fileURLWithPath: outputDir).appendingPathComponent(SwiftNames.fileName(forSpecPath: spec))
        // Only a changed file is rewritten, so a target's build stays incremental;
        // atomically, so the compiler never reads half a file.
        let changed = FileManager.default.contents(atPath: path.path) != source
        if changed {
            do {
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try source.write(to: path, options: .atomic)
            } catch {
                fail("cnnc-generate: cannot write \(path.path): \(error.localizedDescription)")
            }
        }
        if !quiet { print("\(changed ? "wrote" : "unchanged") \(path.path)") }
    }
}
exit(failed ? 1 : 0)
