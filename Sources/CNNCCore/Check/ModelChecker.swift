/// The second stage of the pipeline: a `ModelSpec` in, a `CheckedModel` out.
/// Decodes every layer's arguments, names layers as Keras does, infers every
/// shape and counts parameters and FLOPs, logging each independent mistake.
/// Arguments of later layers are still checked after a shape error, but
/// their shapes are not (they would only repeat the first error).
public enum ModelChecker {
    /// Layers cnnc does not know are each an error naming the layer; the
    /// classes it does know are listed once, in this note, which the front end
    /// puts after every other diagnostic (located at the first unknown layer).
    public static func supportedLayersNote(_ spec: ModelSpec) -> Diagnostic? {
        guard let first = spec.layers.first(where: { $0.operationCall == nil && $0.callOf == nil && LayerCatalog.decoders[$0.className] == nil }) else { return nil }
        return Diagnostic(.note, "the layers cnnc supports: \(LayerCatalog.supportedClasses.joined(separator: ", "))", at: first.location)
    }

    public static func check(_ spec: ModelSpec, log: inout DiagnosticLog) -> CheckedModel? {
        guard spec.isReadable else { return nil }
        if spec.isFunctional { return GraphChecker.check(spec, log: &log) }
        var inputShape = spec.inputShape.map(TensorShape.init)
        var inputShapeGiven = spec.inputShapeGiven
        if let onFirstLayer = inputShapeOnFirstLayer(spec, log: &log) {
            inputShapeGiven = true
            if let shape = onFirstLayer.shape {
                if let given = inputShape, given != shape {
                    log.error("the first layer's input shape \(shape) differs from the model's \(given); give it once", at: onFirstLayer.location)
                }
                inputShape = inputShape ?? shape
            }
        }
        if !inputShapeGiven {
            let hint = spec.format == .cnncSpec
                ? "add 'input_shape: [height, width, channels]' to the spec, e.g. input_shape: [28, 28, 1]"
                : "the Sequential model needs an InputLayer with 'batch_shape' (build it with keras.Input(shape=...))"
            log.error("the model has no input shape; \(hint)", at: spec.inputShapeLocation)
        }
        if let shape = inputShape, CheckedArithmetic.product(shape.dimensions) == nil {
            log.error("the input shape \(shape) is too large: its element count overflows", at: spec.inputShapeLocation)
            inputShape = nil
        }

        var naming = KerasNaming()
        var layers: [CheckedLayer] = []
        var current = inputShape
        var firstUse: [String: SourceLocation] = [:]
        for (index, layer) in spec.layers.enumerated() {
            let name = layerName(layer, format: spec.format, naming: &naming, log: &log)
            if let earlier = firstUse[name] {
                log.error("duplicate layer name '\(name)' (first used at line \(earlier.line), column \(earlier.column)); layer names must be unique", at: layer.location)
            } else {
                firstUse[name] = layer.location
            }
            guard let operation = decode(layer, name: name, isFirst: index == 0, inputRank: current?.rank, log: &log) else {
                current = nil
                continue
            }
            if LayerCatalog.mergeClasses.contains(layer.className), spec.format == .cnncSpec {
                log.error(mergeWithoutInputs(name, layer), at: layer.location)
                current = nil
                continue
            }
            guard let input = current else { continue }
            // A Sequential model is the chain: each layer reads the one before it.
            let reads: TensorReference = layers.isEmpty ? .input(0) : .layer(layers.count - 1)
            let readsName = layers.last?.name ?? KerasNaming.defaultInputName
            guard let checked = checkLayer(layer, name: name, operation: operation, reads: [reads],
                                           operands: [.init(name: readsName, shape: input)], log: &log) else {
                current = nil
                continue
            }
            layers.append(checked)
            current = checked.outputShape
        }
        guard !log.hasErrors, let inputShape else { return nil }
        let input = ModelInput(name: KerasNaming.defaultInputName, shape: inputShape, location: spec.inputShapeLocation)
        return CheckedModel(name: spec.name ?? KerasNaming.defaultModelName, inputs: [input], layers: layers,
                            outputs: [layers.isEmpty ? .input(0) : .layer(layers.count - 1)], sourceFile: spec.file, notes: log.diagnostics.filter { $0.severity == .note })
    }

    /// A merge layer in cnnc's spec language must name what it merges.
    static func mergeWithoutInputs(_ name: String, _ layer: LayerSpec) -> String {
        "\(name): \(layer.className) combines several tensors; name them with 'inputs: [first, second]'"
    }

    /// One layer whose arguments decoded, reading `operands` (the tensors
    /// `reads` refers to): its shapes and counts, or nil after logging why
    /// there are none.
    static func checkLayer(_ layer: LayerSpec, name: String, operation: LayerOperation, reads: [TensorReference],
                           operands: [MergeShapes.Operand], log: inout DiagnosticLog) -> CheckedLayer? {
        let outcome: ShapeInference.Outcome
        switch operands.count == 1 ? ShapeInference.infer(operation, className: layer.className, input: operands[0].shape)
            : MergeShapes.infer(operation, className: layer.className, inputs: operands).map({ ShapeInference.Outcome(output: $0, padding: nil) }) {
        case .failure(let error):
            log.error("\(name): \(error.message)", at: layer.location)
            return nil
        case .success(let inferred):
            outcome = inferred
        }
        let input = operands[0].shape
        guard CheckedArithmetic.product(outcome.output.dimensions) != nil else {
            log.error("\(name): the output \(outcome.output) has too many elements to compute (the count overflows)", at: layer.location)
            return nil
        }
        guard let counts = ParameterCounting.count(operation, input: input, output: outcome.output) else {
            log.error("\(name): the parameter or FLOP count of \(input) → \(outcome.output) is too large to compute (it overflows)", at: layer.location)
            return nil
        }
        // A frozen layer's weights are all non-trainable, as Keras's summary counts them.
        let frozen = layer.arguments.contains { argument in
            guard argument.key == "trainable", case .bool(false) = argument.value.kind else { return false }
            return true
        }
        if case .identityAtInference(let onlyInTraining) = operation {
            switch onlyInTraining {
            case .activityRegularization:
                log.note("\(name): ActivityRegularization passes its input on unchanged; its penalty joins the losses of training, validation, testing and evaluate, as in Keras", at: layer.location)
            case .identity:
                break
            default:
                log.note("\(name): \(layer.className) does nothing at inference; cnnc compiles it as identity (it acts only in training)", at: layer.location)
            }
        }
        var checked = CheckedLayer(
            name: name, className: layer.className, operation: operation, inputs: reads, inputShape: input,
            outputShape: outcome.output, padding: outcome.padding, trainableParameters: frozen ? 0 : counts.trainable,
            nonTrainableParameters: counts.nonTrainable + (frozen ? counts.trainable : 0), flops: counts.flops,
            location: layer.location, frozen: frozen)
        if case .merge = operation { checked.writtenAsOperation = layer.operationCall != nil }
        return checked
    }

    /// The layer's explicit `name`, or Keras's default for its class. Keras 3
    /// refuses '/' in a name, but tf.keras allowed it and its applications
    /// use it (MobileNetV3's `expanded_conv/depthwise`), so a Keras 2 file may.
    static func layerName(_ layer: LayerSpec, format: ModelSpec.Format, naming: inout KerasNaming, log: inout DiagnosticLog) -> String {
        guard let entry = layer.arguments.first(where: { $0.key == "name" }), !entry.value.isNull else {
            return naming.defaultName(forClass: layer.className)
        }
        guard let name = entry.value.string, !name.isEmpty else {
            log.error("a layer's 'name' must be a non-empty string, got \(entry.value.sourceText)", at: entry.value.location)
            return naming.defaultName(forClass: layer.className)
        }
        guard format == .keras2JSON || !name.contains("/") else {
            log.error("a layer's 'name' must not contain '/' (Keras 3 refuses it; only Keras 2 files may have it), got \(entry.value.sourceText)", at: entry.value.location)
            return naming.defaultName(forClass: layer.className)
        }
        return name
    }

    /// The layer's operation, or nil after logging why its arguments are wrong.
    static func decode(_ layer: LayerSpec, name: String, isFirst: Bool, inputRank: Int?, log: inout DiagnosticLog) -> LayerOperation? {
        if let call = layer.operationCall {
            var reader = ArgumentReader(layer: layer, layerName: name, inputRank: inputRank)
            LayerCatalog.readCommonArguments(&reader)
            let operation = OperationArguments.decode(call, reader: &reader)
            reader.finish(known: call.module == nil ? ["function"] : [])
            for diagnostic in reader.diagnostics { log.append(diagnostic) }
            return reader.hasErrors ? nil : operation
        }
        guard let decoder = LayerCatalog.decoders[layer.className] else {
            // A name the file gave says which layer; one made from the unknown class would not.
            let named = layer.arguments.contains { $0.key == "name" } ? "\(name): " : ""
            log.error(named + unknownClassMessage(layer.className), at: layer.location)
            return nil
        }
        var reader = ArgumentReader(layer: layer, layerName: name, inputRank: inputRank)
        LayerCatalog.readCommonArguments(&reader)
        for key in InputShapeReader.keys.map(\.name) {
            guard let value = reader.value(key) else { continue }
            if !isFirst {
                reader.error("only the first layer may give '\(key)'; the input of this layer is the output of the one before", at: value.location)
            }
        }
        let operation = decoder.decode(&reader)
        reader.finish(known: decoder.arguments)
        for diagnostic in reader.diagnostics { log.append(diagnostic) }
        return reader.hasErrors ? nil : operation
    }

    static func unknownClassMessage(_ className: String) -> String {
        if LayerCatalog.kerasClassesNotSupported.contains(className) {
            return "the Keras layer '\(className)' is not supported by cnnc yet" + (LayerCatalog.workarounds[className].map { "; \($0)" } ?? "")
        }
        return "unknown layer '\(className)'\(Suggestions.didYouMean(className, in: LayerCatalog.supportedClasses))"
    }

    /// `input_shape`, `batch_input_shape` or `batch_shape` on the first layer, as
    /// Keras 2 code writes it: nil when absent, a nil shape when it was unreadable.
    private static func inputShapeOnFirstLayer(_ spec: ModelSpec, log: inout DiagnosticLog) -> (shape: TensorShape?, location: SourceLocation)? {
        guard let first = spec.layers.first else { return nil }
        for argument in first.arguments where InputShapeReader.keys.contains(where: { $0.name == argument.key }) {
            let dimensions = InputShapeReader.read(argument.value, key: argument.key, log: &log)
            return (dimensions.map(TensorShape.init), argument.value.location)
        }
        return nil
    }
}
