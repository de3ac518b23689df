/// `model.summary()` as Keras 3 prints it, byte for byte at the same line
/// length, with optional cnnc columns for FLOPs and activation memory. A
/// Sequential model, or a Functional one that is a chain, gets three columns;
/// any other graph a fourth, `Connected to`, naming the tensors each layer reads.
public struct KerasSummary {
    /// Keras's default width: 88 (108 with `Connected to`), or the terminal's
    /// width less 4 when that is smaller; 76 when the output is not a
    /// terminal (its 80-column fallback).
    public static func defaultLineLength(terminalColumns: Int, sequentialLike: Bool = true) -> Int {
        min(sequentialLike ? 88 : 108, terminalColumns - 4)
    }

    public var lineLength: Int
    public var showFLOPs = false
    public var showMemory = false
    /// The optimizer state a trained `.keras` file keeps: Keras counts it in
    /// the total and on a line of its own.
    public var optimizer: (parameters: Int, bytes: Int)?

    public init(lineLength: Int, showFLOPs: Bool = false, showMemory: Bool = false) {
        self.lineLength = lineLength
        self.showFLOPs = showFLOPs
        self.showMemory = showMemory
    }

    /// Column boundaries of a Sequential summary, as fractions of the line.
    static let positions = [0.45, 0.80, 1.0]
    /// Column boundaries with `Connected to`.
    static let graphPositions = [0.3, 0.56, 0.74, 1.0]
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
        let connections = !model.isSequentialLike
        guard let widths = BoxTable.kerasWidths(lineLength: lineLength, positions: connections ? Self.graphPositions : Self.positions) else {
            throw .lineTooShort(lineLength)
        }
        var columns = [
            BoxTable.Column(header: "Layer (type)", alignment: .left, width: widths[0]),
            BoxTable.Column(header: "Output Shape", alignment: .left, width: widths[1]),
            BoxTable.Column(header: "Param #", alignment: .right, width: widths[2]),
        ]
        if connections { columns.append(.init(header: "Connected to", alignment: .left, width: widths[3])) }
        if showFLOPs { columns.append(.init(header: "FLOPs", alignment: .right, width: Self.extraColumnWidth)) }
        if showMemory { columns.append(.init(header: "Activations", alignment: .right, width: Self.extraColumnWidth)) }
        var table = BoxTable(columns: columns)
        // Keras names a tensor by its layer, the call that made it and its output index: `stem[0][0]`.
        func connected(_ tensors: [TensorReference]) -> String { tensors.map(model.connectionName).joined(separator: ", ") }
        for entry in model.summaryTable {
            var row: [String]
            var flops = 0
            let output: TensorShape
            switch entry {
            case .input(let index):
                let input = model.inputs[index]
                row = ["\(input.name) (InputLayer)", input.shape.description, "0"]
                if connections { row.append("-") }
                output = input.shape
            case .layer(let index):
                // A shared layer's row: every call's inputs, and (as Keras prints it) the last call's shape.
                let layer = model.layers[index], calls = model.calls(of: index).map { model.layers[$0] }
                output = calls.last?.outputShape ?? layer.outputShape
                row = ["\(layer.name) (\(layer.className))", output.description, Formatting.thousands(layer.parameters)]
                if connections { row.append(connected(calls.flatMap(\.inputs))) }
                flops = calls.reduce(0) { $0 + $1.flops }
            case .nestedModel(let index):
                // As a shared layer's row: every call's inputs, the last call's shape.
                let nested = model.nestedModels[index], calls = model.nestedCalls(of: index).map { model.nestedModels[$0] }
                let totals = model.nestedTotals(index)
                output = model.shape(of: calls.last?.output ?? nested.output)
                row = ["\(nested.name) (\(nested.className))", output.description, Formatting.thousands(totals.parameters)]
                if connections { row.append(connected(calls.flatMap(\.inputs))) }
                flops = totals.flops
            }
            if showFLOPs { row.append(Formatting.thousands(flops)) }
            if showMemory { row.append(Formatting.bytes(output.elementCount * 4)) }
            table.rows.append(row)
        }
        var lines = ["Model: \"\(model.name)\"", table.render()]
        let total = model.parameters + (optimizer?.parameters ?? 0)
        lines.append(" Total params: \(Formatting.thousands(total)) (\(Formatting.bytes(model.parameters * 4 + (optimizer?.bytes ?? 0))))")
        lines.append(" Trainable params: \(Formatting.thousands(model.trainableParameters)) (\(Formatting.bytes(model.trainableParameters * 4)))")
        lines.append(" Non-trainable params: \(Formatting.thousands(model.nonTrainableParameters)) (\(Formatting.bytes(model.nonTrainableParameters * 4)))")
        if let optimizer {
            lines.append(" Optimizer params: \(Formatting.thousands(optimizer.parameters)) (\(Formatting.bytes(optimizer.bytes)))")
        }
        if showFLOPs {
            lines.append(" Total FLOPs: \(Formatting.thousands(model.flops)) (\(Formatting.flops(model.flops))) per sample, 2 x multiply-adds of convolutions and Dense")
        }
        if showMemory {
            let inputBytes = model.inputs.reduce(0) { $0 + $1.shape.elementCount * 4 }
            let alive = model.isChain ? "a layer's input and output" : "every tensor from its layer to its last reader"
            lines.append(" Input: \(Formatting.bytes(inputBytes)); peak activations: \(Formatting.bytes(model.peakActivationBytes)) per sample (\(alive), float32)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
