import Foundation
import PackagePlugin

/// Which files are specs, and the generated file each becomes. (The same rule
/// as `SwiftNames` in CNNCCore; a plugin cannot link the library.)
enum SpecFiles {
    static let suffixes = [".cnn.yaml", ".cnn.yml", ".cnn.json", ".keras.json"]

    static func isSpec(_ fileName: String) -> Bool {
        suffixes.contains { fileName.hasSuffix($0) }
    }

    /// `digits.cnn.yaml` → `digits.cnnc.swift`.
    static func outputName(_ fileName: String) -> String {
        (fileName.split(separator: ".").first.map(String.init) ?? fileName) + ".cnnc.swift"
    }

    /// Two specs whose names differ only after the first dot would write the same file.
    static func checkUniqueOutputs(_ specs: [URL]) throws {
        var seen: [String: URL] = [:]
        for spec in specs {
            let name = outputName(spec.lastPathComponent)
            if let other = seen[name] {
                throw PluginFailure("\(spec.path) and \(other.path) would both generate \(name); rename one of them")
            }
            seen[name] = spec
        }
    }
}

struct PluginFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
