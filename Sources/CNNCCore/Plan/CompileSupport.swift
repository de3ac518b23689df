/// What the plan stage compiles today: graphs of one input and one output,
/// with branches and merges, for inference and training. Beyond that a model
/// is read, checked, summarized and exported, and the commands that would
/// compile it get a located error instead.
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

    /// Why `cnnc train` cannot train this model yet; nil when it can. A graph
    /// of one input and one output trains (its backward pass sums gradients
    /// where a tensor fans out, see `GradientRoutes`) when it returns its last
    /// layer, which every checked graph does unless it returns its input.
    public var trainingGap: Diagnostic? {
        if let gap = compilationGap { return gap }
        if outputs != [.layer(layers.count - 1)] {
            return Diagnostic(.error, "cnnc trains a model that returns a layer's output; this model returns its input '\(inputs[0].name)'", at: inputs[0].location)
        }
        return nil
    }
}
