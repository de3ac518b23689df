import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory generate-models
/// [--target NAME]... [--output-dir DIR]`: writes the generated Swift for
/// every spec in the package's targets into DIR (default `Generated`), for
/// packages that prefer committed sources to the build plugin.
@main
struct GenerateModels: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let outputDir = extractor.extractOption(named: "output-dir").last ?? "Generated"
        let names = extractor.extractOption(named: "target")
        let targets = names.isEmpty ? context.package.targets : try context.package.targets(named: names)
        let root = context.package.directoryURL.path
        let specs = targets.compactMap { $0 as? SourceModuleTarget }
            .flatMap { $0.sourceFiles.map(\.url.path) }
            .filter { SpecFiles.isSpec(URL(fileURLWithPath: $0).lastPathComponent) }
            .map { $0.hasPrefix(root + "/") ? String($0.dropFirst(root.count + 1)) : $0 }
            .sorted()
        guard !specs.isEmpty else {
            Diagnostics.warning("no spec files (*.cnn.yaml, *.cnn.json, *.keras.json) in the chosen targets")
            return
        }
        let process = Process()
        process.executableURL = try context.tool(named: "cnnc-generate").url
        process.currentDirectoryURL = context.package.directoryURL
        process.arguments = ["--output-dir", outputDir] + specs
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PluginFailure("cnnc-generate failed (status \(process.terminationStatus)); see its diagnostics above")
        }
    }
}
