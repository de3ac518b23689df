import CNNCCore
import Foundation
import Subprocess

/// Runs Graphviz's `dot` to lay out a diagram. Only box sizes and `n0`-style
/// names go to it (`GraphvizLayout.input`), never user text; it reads them
/// from a file (`ChildInput`) and finishes in about a second even for
/// NASNetMobile's 770 boxes.
enum GraphvizRun {
    static var dot: String? { FileManager.default.executableOnPath("dot") }

    /// The layout `dot` makes, or a message saying why there is none.
    static func layout(_ diagram: ModelDiagram, direction: SVGDiagram.Direction, dot: String) async -> Result<DiagramLayout, GraphvizLayout.Unreadable> {
        let plain: String
        do {
            let result = try await Subprocess.run(
                .path(.init(dot)), arguments: ["-Tplain"], input: try ChildInput.file(GraphvizLayout.input(diagram, direction: direction)),
                output: .string(limit: 64 << 20), error: .string(limit: 1 << 20))
            guard case .exited(0) = result.terminationStatus else {
                let said = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
                return .failure(.init(description: "\(dot) failed" + (said.isEmpty ? "" : ": \(said)")))
            }
            plain = result.standardOutput
        } catch {
            return .failure(.init(description: "could not run \(dot): \(error)"))
        }
        return Result { () throws(GraphvizLayout.Unreadable) in try GraphvizLayout.layout(diagram, plain: plain) }
    }
}
