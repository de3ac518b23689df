import CNNCRuntime

/// Gradients of whole batches as arrays, through the training engine (`BatchGradients`).
extension TrainableModel {
    /// One sample as arrays, for tests and small tools: (loss, dL/dparameters, dL/dinput).
    public func gradients(input: [Float], target: [Float], loss: LossFunction, dropoutSeed: UInt64 = 0) throws(RuntimeError) -> (loss: Float, parameters: [Float], input: [Float]) {
        try gradients(input: input, target: target, loss: ModelLoss(loss), dropoutSeed: dropoutSeed)
    }

    /// The same for a model of several outputs, a loss function for each.
    public func gradients(input: [Float], target: [Float], loss: ModelLoss, dropoutSeed: UInt64 = 0) throws(RuntimeError) -> (loss: Float, parameters: [Float], input: [Float]) {
        let batch = try batchGradients(inputs: input, targets: target, loss: loss, dropoutSeeds: [dropoutSeed])
        return (batch.loss, batch.parameters, batch.inputs)
    }

    /// A batch as arrays, for tests and small tools: the mean loss, the mean
    /// dL/dparameters, dL/dinput of that mean for every sample, and the batch
    /// statistics (`batchStatisticsCount` floats) the step normalized with.
    public func batchGradients(inputs: [Float], targets: [Float], loss: LossFunction, dropoutSeeds: [UInt64], threads: Int = 1) throws(RuntimeError)
        -> (loss: Float, parameters: [Float], inputs: [Float], statistics: [Float]) {
        try batchGradients(inputs: inputs, targets: targets, loss: ModelLoss(loss), dropoutSeeds: dropoutSeeds, threads: threads)
    }

    /// The same for a model of several outputs, a loss function for each.
    public func batchGradients(inputs: [Float], targets: [Float], loss: ModelLoss, dropoutSeeds: [UInt64], threads: Int = 1) throws(RuntimeError)
        -> (loss: Float, parameters: [Float], inputs: [Float], statistics: [Float]) {
        let count = dropoutSeeds.count
        guard count > 0, inputs.count == count * Self.inputCount, targets.count == count * Self.outputCount else {
            throw RuntimeError("a batch of \(count) training samples needs \(count * Self.inputCount) inputs and \(count * Self.outputCount) targets; got \(inputs.count) and \(targets.count)")
        }
        if let reason = Self.trainingUnsupportedReason { throw RuntimeError(reason) }
        let engine = BatchGradients<Self>(threads: threads, batchSize: count)
        var parameterGradients = [Float](repeating: 0, count: Self.parameterCount)
        var inputGradients = [Float](repeating: 0, count: inputs.count)
        var outputs = [Float](repeating: 0, count: count * Self.outputCount)
        var losses = [Float](repeating: 0, count: count)
        inputs.withUnsafeBufferPointer { inputBuffer in
            targets.withUnsafeBufferPointer { targetBuffer in
                engine.compute(model: self, inputs: inputBuffer.baseAddress!, targets: targetBuffer.baseAddress!, count: count,
                               loss: loss, dropoutSeeds: dropoutSeeds, gradients: &parameterGradients,
                               inputGradients: &inputGradients, outputs: &outputs, losses: &losses)
            }
        }
        let scale = 1 / Float(count)
        return (losses.reduce(0, +) * scale, parameterGradients, inputGradients.map { $0 * scale }, engine.statistics)
    }
}
