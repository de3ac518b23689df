/// What the plan stage compiles today: chains (one input, each layer reading
/// the one before, the last returned) without merge layers. Graphs are
/// read, checked, summarized and exported; compiling them is the next step
/// (issue 14), and until then they get this located error instead of code.
extension CheckedModel {
    /// Why cnnc cannot compile this model yet, pointing at the first place
    /// that is not a chain; nil when it can.
    public var compilationGap: Diagnostic? {
        let what = "cnnc reads, checks, summarizes and exports graph models, but compiles only chains of layers so far"
        if inputs.count > 1 {
            return Diagnostic(.error, "\(what); this model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", ")))", at: inputs[1].location)
        }
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
        if outputs.count > 1 {
            return Diagnostic(.error, "\(what); this model has \(outputs.count) outputs (\(outputs.map(name(of:)).joined(separator: ", ")))", at: layers.last?.location ?? inputs[0].location)
        }
        if !isChain {
            return Diagnostic(.error, "\(what); this model does not return its last layer's output", at: layers.last?.location ?? inputs[0].location)
        }
        return nil
    }
}
