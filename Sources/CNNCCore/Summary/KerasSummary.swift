/// `model.summary()` as Keras 3 prints it for a Sequential model, byte for
/// byte at the same line length, with optional cnnc columns for FLOPs and
/// activation memory.
public struct KerasSummary {
    /// Keras's default width: 88, or the terminal's width less 4 when that is
    /// smaller; 76 when the output is not a terminal (its 80-column fallback).
    public static func defaultLineLength(terminalColumns: Int) -> Int {
        min(88, terminalColumns - 4)
    }

    public var lineLength: Int
    public var showFLOPs = false
    public var showMemory = false

    public init(lineLength: Int, showFLOPs: Bool = false, showMemory: Bool = false) {
        self.lineLength = lineLength
        self.showFLOPs = showFLOPs
        self.showMemory = showMemory
    }

    /// Column boundaries of a Sequential summary, as fractions of the line.
    static let positions = [0.45, 0.80, 1.0]
    /// Extra columns are as wide as Keras's "Param #" column at the default width.
    static let extraColumnWidth = 17

    public enum RenderError: Error, CustomStringConvertible {
        case lineTooShort(Int)
        public var description: String {
            switch self {
            case .lineTooShort(let length): "line length \(length) is too short for the summary table; use at least 20"
            }
        }
    }

    public func render(_ model: CheckedModel) throws(RenderError) -> String {
        guard let widths = BoxTable.kerasWidths(lineLength: lineLength, positions: Self.positions) else {
            throw .lineTooShort(lineLength)
        }
        var columns = [
            BoxTable.Column(header: "Layer (type)", alignment: .left, width: widths[0]),
            BoxTable.Column(header: "Output Shape", alignment: .left, width: widths[1]),
            BoxTable.Column(header: "Param #", alignment: .right, width: widths[2]),
        ]
        if showFLOPs { columns.append(.init(header: "FLOPs", alignment: .right, width: Self.extraColumnWidth)) }
        if showMemory { columns.append(.init(header: "Activations", alignment: .right, width: Self.extraColumnWidth)) }
        var table = BoxTable(columns: columns)
        for layer in model.layers {
            var row = ["\(layer.name) (\(layer.className))", layer.outputShape.description, Formatting.thousands(layer.parameters)]
            if showFLOPs { row.append(Formatting.thousands(layer.flops)) }
            if showMemory { row.append(Formatting.bytes(layer.activationBytes)) }
            table.rows.append(row)
        }
        var lines = ["Model: \"\(model.name)\"", table.render()]
        lines.append(" Total params: \(Formatting.thousands(model.parameters)) (\(Formatting.bytes(model.parameters * 4)))")
        lines.append(" Trainable params: \(Formatting.thousands(model.trainableParameters)) (\(Formatting.bytes(model.trainableParameters * 4)))")
        lines.append(" Non-trainable params: \(Formatting.thousands(model.nonTrainableParameters)) (\(Formatting.bytes(model.nonTrainableParameters * 4)))")
        if showFLOPs {
            lines.append(" Total FLOPs: \(Formatting.thousands(model.flops)) (\(Formatting.flops(model.flops))) per sample, 2 x multiply-adds of Conv2D and Dense")
        }
        if showMemory {
            lines.append(" Input: \(Formatting.bytes(model.inputShape.elementCount * 4)); peak activations: \(Formatting.bytes(model.peakActivationBytes)) per sample (a layer's input and output, float32)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
