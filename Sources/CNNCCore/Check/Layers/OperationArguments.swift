/// Keras 3 operations that a Functional model applies to a tensor and a
/// number, as MobileNetV3's hard sigmoid does (`ReLU(6.0)(x + 3.0) * (1.0 / 6.0)`).
/// Each is y = x·scale + offset, so cnnc computes it as a Rescaling that
/// remembers how it was written, for the summary and for export. The sum,
/// difference and product of two tensors (ConvNeXt's residual `inputs + x`)
/// are the merges Add, Subtract and Multiply, with numpy's broadcasting.
enum OperationArguments {
    /// The module of the operations Python's arithmetic operators make.
    static let numpyModule = "keras.src.ops.numpy"

    /// The `function` of tf.keras's TFOpLambda layers for the same operations.
    static let tfFunctions: [String: ArithmeticOperation.Kind] = [
        "__operators__.add": .add, "math.add": .add, "__operators__.sub": .subtract, "math.subtract": .subtract,
        "__operators__.mul": .multiply, "math.multiply": .multiply, "__operators__.truediv": .trueDivide,
        "math.truediv": .trueDivide, "math.divide": .divide, "__operators__.neg": .negative, "math.negative": .negative,
    ]

    static var supportedText: String {
        "cnnc compiles x + c, x - c, c - x, x * c, x / c and -x of one tensor and a number (\(numpyModule) "
            + ArithmeticOperation.Kind.allCases.map(\.rawValue).joined(separator: ", ") + ", or tf.keras's TFOpLambda of tf.math's), "
            + "and x + y, x - y and x * y of two tensors (Keras 3)"
    }

    /// The merge that computes an operation on two tensors.
    static let twoTensorMerges: [ArithmeticOperation.Kind: MergeOperation] = [.add: .add, .subtract: .subtract, .multiply: .multiply]

    /// The operation as a Rescaling, or nil after recording why it is not one.
    static func decode(_ call: OperationCall, reader: inout ArgumentReader) -> LayerOperation? {
        let written: String
        let found: ArithmeticOperation.Kind?
        if let module = call.module {
            written = "\(module).\(reader.className)"
            found = module == numpyModule ? ArithmeticOperation.Kind(rawValue: reader.className) : nil
        } else {
            let function = reader.value("function")?.string ?? "?"
            written = "tf.\(function)"
            found = tfFunctions[function]
        }
        guard let kind = found else {
            reader.error("the Keras operation '\(written)' is not supported; \(supportedText)", at: reader.layerLocation)
            return nil
        }
        let tensorCount = call.arguments.filter { $0 == nil }.count
        if tensorCount == 2, call.arguments.count == 2, call.module != nil, let merge = twoTensorMerges[kind] {
            return .merge(merge)
        }
        guard tensorCount == 1 else {
            reader.error("'\(written)' is called on \(tensorCount) tensors; \(supportedText)", at: reader.layerLocation)
            return nil
        }
        var operation = ArithmeticOperation(kind: kind)
        let expectedCount = kind == .negative ? 1 : 2
        guard call.arguments.count == expectedCount else {
            reader.error("'\(written)' is called with \(call.arguments.count) arguments; it takes \(expectedCount)", at: reader.layerLocation)
            return nil
        }
        if let index = call.arguments.firstIndex(where: { $0 != nil }), let value = call.arguments[index] {
            if call.module == nil, value.list != nil {
                // tf.keras names a second tensor as [layer, node, index] in `y`.
                reader.error("'\(written)' of two tensors (tf.keras's TFOpLambda) is not supported; save the model with Keras 3, "
                             + "whose x + y, x - y and x * y cnnc compiles, or use the layer keras.layers.\(kind.rawValue)", at: value.location)
                return nil
            }
            switch value.kind {
            case .int(let integer):
                operation.number = Double(integer)
            case .double(let number) where number.isFinite:
                operation.number = number
            default:
                reader.error("'\(written)' is called with \(value.sourceText); cnnc takes a finite number beside the tensor", at: value.location)
                return nil
            }
            operation.numberFirst = index == 0
        }
        guard let map = operation.scaleAndOffset else {
            reader.error("'\(written)' of \(operation.numberFirst ? "a number by a tensor" : "a tensor by 0") is not supported; \(supportedText)", at: reader.layerLocation)
            return nil
        }
        return .rescaling(RescalingConfig(scale: [map.scale], offset: [map.offset], scaleIsList: false, offsetIsList: false, writtenAs: operation))
    }
}
