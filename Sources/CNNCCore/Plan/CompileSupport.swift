/// What the plan stage compiles today. Inference: graphs of one input and
/// one output, with branches and merges. Training: chains (one input, each
/// layer reading the one before, the last returned) without merge layers,
/// since the backward pass does not yet sum gradients where a tensor fans
/// out. Beyond that a model is read, checked, summarized and exported, and
/// the commands that would compile it get a located error instead.
extension CheckedModel {
    /// Why cnnc cannot compile this model yet, at the place that says so; nil when it can.
    public var compilationGap: Diagnostic? {
        let what = "cnnc compiles graphs of one input and one output so far"
        if inputs.count > 1 {
            return Diagnostic(.error, "\(what); this model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", ")))", at: inputs[1].location)
        }
        if outputs.count > 1 {
            let last = outputs.last.map { tensor in
                if case .layer(let index) = tensor { layers[index].location } else { inputs[0].location }
            } ?? inputs[0].location
            return Diagnostic(.error, "\(what); this model has \(outputs.count) outputs (\(outputs.map(name(of:)).joined(separator: ", ")))", at: last)
        }
        return nil
    }

    /// Why `cnnc train` cannot train this model yet, pointing at the first
    /// place that is not a chain; nil when it can.
    public var trainingGap: Diagnostic? {
        if let gap = compilationGap { return gap }
        let what = "cnnc trains chains of layers so far (the backward pass of graphs is not written yet)"
        for (index, layer) in layers.enumerated() {
            let previous: TensorReference = index == 0 ? .input(0) : .layer(index - 1)
            if layer.inputs != [previous] {
                let reads = layer.inputs.map { "'\(name(of: $0))'" }.joined(separator: ", ")
                return Diagnostic(.error, "\(what); '\(layer.name)' reads \(reads), not the layer before it ('\(name(of: previous))')", at: layer.location)
            }
            if LayerCatalog.mergeClasses.contains(layer.className) {
                return Diagnostic(.error, "\(what); '\(layer.name)' is a \(layer.className) layer", at: layer.location)
            }
        }
        if !isChain {
            return Diagnostic(.error, "\(what); this model does not return its last layer's output", at: layers.last?.location ?? inputs[0].location)
        }
        return nil
    }
}
