import CNNCCore
import Foundation

// The build-tool plugin's generator: `cnnc-generate SPEC OUTPUT_DIR` writes
// SPEC's Swift into OUTPUT_DIR exactly as `cnnc generate SPEC --output-dir
// OUTPUT_DIR --quiet` does, through the same `ModelGenerator`. It links
// CNNCCore alone because SwiftPM builds a plugin's tool a second time, for
// the host: a package that uses the plugin then compiles the generator twice,
// not the whole of cnnc (training, data sets, the build driver, the CLI).

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else {
    fail("usage: cnnc-generate SPEC OUTPUT_DIR (the CNNCPlugin's generator; use `cnnc generate` by hand)", status: 2)
}
let (spec, outputDir) = (arguments[0], arguments[1])
switch Frontend.load(path: spec) {
case .failure(let error):
    fail(error.description, status: 1)
case .success(let model):
    if !model.notes.isEmpty {
        FileHandle.standardError.write(Data((model.notes.map(\.description).joined(separator: "\n") + "\n").utf8))
    }
    let source = Data(ModelGenerator(model: model, specPath: spec).generate().utf8)
    let path = URL(fileURLWithPath: outputDir).appendingPathComponent(SwiftNames.fileName(forSpecPath: spec))
    // Only a changed file is rewritten, so the target's build stays incremental;
    // atomically, so the compiler never reads half a file.
    guard FileManager.default.contents(atPath: path.path) != source else { exit(0) }
    do {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try source.write(to: path, options: .atomic)
    } catch {
        fail("cnnc-generate: cannot write \(path.path): \(error.localizedDescription)", status: 1)
    }
}
