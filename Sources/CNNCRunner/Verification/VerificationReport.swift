import CNNCRuntime
import CNNCTraining
import Foundation

/// `cnnc verify`'s answer: every layer of the compiled model against a
/// reference, one line each, and a verdict that names the first layer that
/// diverges and says what kind of difference it is.
public struct VerificationReport: Sendable {
    public var comparisons: [LayerComparison]
    public var tolerance: LayerComparison.Tolerance
    public var sampleCount: Int
    /// The reference's origin ("keras 3.15.1, jax 0.8.1"), when it says.
    public var origin: String?
    /// Layers whose name begins a weight tensor's name (`conv2d` of `conv2d.kernel`).
    var weightedLayers: Set<String>

    public init<Model: CompiledModel>(model: Model, reference: ReferenceVectors, tolerance: LayerComparison.Tolerance = .init()) throws(RuntimeError) {
        let outputs = try model.layerOutputs(batch: reference.input)
        comparisons = zip(Model.layers, outputs).map { layer, values in
            // The reader checked that every layer name is present.
            LayerComparison(layer: layer, ours: values, shape: [reference.sampleCount] + layer.outputShape,
                            reference: reference.layers[layer.name]!, tolerance: tolerance)
        }
        self.tolerance = tolerance
        sampleCount = reference.sampleCount
        let metadata = reference.metadata
        let keras = metadata["keras_version"].map { "keras \($0)" }
        let backend = metadata["backend"].map { [$0, metadata["backend_version"]].compactMap { $0 }.joined(separator: " ") }
        let versions = [keras, backend].compactMap { $0 }
        origin = versions.isEmpty ? metadata["source"] : versions.joined(separator: ", ")
        weightedLayers = Set(Model.weightLayout.compactMap { $0.name.split(separator: ".").first.map(String.init) })
    }

    public var passed: Bool { comparisons.allSatisfy(\.agrees) }
    public var firstDivergence: LayerComparison? { comparisons.first { !$0.agrees } }

    /// The table, then the verdict.
    public var text: String {
        let header = ["Layer (type)", "Output shape", "Max abs err", "Max rel err", "Worst at", "Result"]
        let rows = comparisons.map { comparison -> [String] in
            let shape = TensorLayout.shapeText(comparison.shape)
            if case .shapeMismatch(_, let theirs) = comparison.outcome {
                return ["\(comparison.layer.name) (\(comparison.layer.className))", shape, "-", "-", "-", "SHAPE: reference has \(TensorLayout.shapeText(theirs))"]
            }
            let result: String = switch comparison.outcome {
            case .agrees: "ok"
            case .valuesDiffer(let count): "FAIL: \(count) of \(comparison.elementCount) outside tolerance"
            case .notFinite(let count): "FAIL: \(count) NaN/Inf"
            case .shapeMismatch: ""
            }
            return ["\(comparison.layer.name) (\(comparison.layer.className))", shape,
                    Self.scientific(comparison.maximumAbsoluteError), Self.scientific(comparison.maximumRelativeError),
                    comparison.worstIndex.isEmpty ? "-" : TensorLayout.shapeText(comparison.worstIndex), result]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }
        var text = "Tolerance: |a - b| <= \(Self.scientific(tolerance.absolute)) + \(Self.scientific(tolerance.relative)) * |b|, over \(sampleCount) sample\(sampleCount == 1 ? "" : "s")"
        if let origin { text += "; reference made by \(origin)" }
        text += "\n" + line(header) + "\n"
        for row in rows { text += line(row) + "\n" }
        return text + verdict + "\n"
    }

    /// One sentence a user can act on.
    public var verdict: String {
        guard let first = firstDivergence, let position = comparisons.firstIndex(where: { !$0.agrees }) else {
            return "verify: all \(comparisons.count) layers agree with the reference"
        }
        let name = "\(first.layer.name) (\(first.layer.className))"
        let at = TensorLayout.shapeText(first.worstIndex)
        switch first.outcome {
        case .agrees:
            return ""
        case .shapeMismatch(let ours, let theirs):
            return "verify: the reference is from another model: layer \(name) has output shape \(TensorLayout.shapeText(ours)) here and \(TensorLayout.shapeText(theirs)) in the reference"
        case .notFinite(let count):
            return "verify: first divergent layer: \(name): \(count) value\(count == 1 ? " is" : "s are") NaN or infinite, first at \(at): \(first.worstValue) here, \(first.worstReference) in the reference"
        case .valuesDiffer(let count):
            var text = "verify: first divergent layer: \(name): \(count) of \(first.elementCount) values outside tolerance; worst at \(at): \(first.worstValue) here, \(first.worstReference) in the reference"
            let firstWeighted = comparisons.firstIndex { weightedLayers.contains($0.layer.name) }
            if position == firstWeighted, count * 10 >= first.elementCount * 9 {
                text += ". Nearly every value of the first layer with weights differs: the reference was probably made with different weights (or the weights file is not the one the reference was made with)"
            }
            return text
        }
    }

    static func scientific(_ value: Float) -> String {
        value == 0 ? "0" : String(format: "%.2e", Double(value))
    }
}
