import Foundation
import PackagePlugin

/// The build-tool plugin: every spec file in a target that uses it becomes a
/// generated Swift file compiled into that target. Spec files are named
/// `*.cnn.yaml`, `*.cnn.yml`, `*.cnn.json` (cnnc's spec language) or
/// `*.keras.json` (Keras's `model.to_json()`); `digits.cnn.yaml` becomes
/// `digits.cnnc.swift`, declaring the type `Digits`.
@main
struct CNNCPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let specs = target.sourceFiles.map(\.url).filter { SpecFiles.isSpec($0.lastPathComponent) }
        guard !specs.isEmpty else {
            Diagnostics.warning("cnnc: target '\(target.name)' uses the CNNCPlugin but holds no spec file; name specs *.cnn.yaml, *.cnn.json or *.keras.json")
            return []
        }
        try SpecFiles.checkUniqueOutputs(specs)
        let generator = try context.tool(named: "cnnc-generate")
        let output = context.pluginWorkDirectoryURL.appending(component: "GeneratedModels")
        return specs.map { spec in
            .buildCommand(
                displayName: "cnnc: generating \(SpecFiles.outputName(spec.lastPathComponent)) from \(spec.lastPathComponent)",
                executable: generator.url,
                arguments: ["--quiet", "--output-dir", output.path, spec.path],
                inputFiles: [spec],
                outputFiles: [output.appending(component: SpecFiles.outputName(spec.lastPathComponent))])
        }
    }
}
