/// The plan stage compiles a sequence as the image it is in memory: a
/// (steps, channels) tensor holds the same floats in the same order as a
/// (1, steps, channels) image, so Conv1D, the 1D poolings, ZeroPadding1D,
/// Cropping1D and UpSampling1D run as their 2D counterparts with a (1, k)
/// window (UpSampling1D as UpSampling2D by (1, size); a Permute of a
/// sequence keeps the row first, as does a Dropout's noise_shape) (`OneDimensionalOperation.lowered`; the checker already resolved 'same'
/// and 'causal' padding to steps before and after). The user's view (names,
/// classes, Keras's shapes in comments and `layers`) comes from the checked
/// model, which is left as it is. A Conv2D of a group a channel becomes the
/// DepthwiseConv2D it computes (`Conv2DConfig.depthwise(inputChannels:)`),
/// and a LayerScale the 1x1 one without bias (`LayerScaleConfig.depthwise`).
extension CheckedModel {
    /// This model with every 1D layer as its 2D counterpart and every tensor of
    /// rank 2 as an image of one row; everything else as it is.
    var loweredToImages: CheckedModel {
        var model = self
        for index in model.inputs.indices { model.inputs[index].shape = Self.image(inputs[index].shape) }
        for index in model.layers.indices {
            var layer = model.layers[index]
            let rank = layer.outputShape.rank
            switch layer.operation {
            case .oneDimensional(let operation):
                layer.operation = operation.lowered
            case .layerScale(let config):
                layer.operation = .depthwiseConv2D(config.depthwise)  // WeightPlan packs gamma as its kernel
            case .conv2D(let config) where config.groups > 1:
                // A group a channel: ConvNeXt's depthwise Conv2D (WeightPlan packs its kernel so).
                if let depthwise = config.depthwise(inputChannels: layer.inputShape.lastAxis) { layer.operation = .depthwiseConv2D(depthwise) }
            case .concatenate(var config) where rank == 2 && config.axis > 0:
                config.axis += 1  // counted from the batch axis: the row axis comes first
                layer.operation = .concatenate(config)
            case .reshape(var config) where rank == 2:
                config.targetShape = [1] + config.targetShape
                layer.operation = .reshape(config)
            case .dropout(var config) where rank == 2:
                // noise_shape counts from the batch axis too: the row of one follows it.
                if let shape = config.noiseShape, let batch = shape.first { config.noiseShape = [batch, 1] + shape.dropFirst() }
                layer.operation = .dropout(config)
            case .permute(var config) where rank == 2:
                config.dims = [1] + config.dims.map { $0 + 1 }  // the row of one stays first
                layer.operation = .permute(config)
            default:
                break
            }
            layer.inputShape = Self.image(layer.inputShape)
            layer.outputShape = Self.image(layer.outputShape)
            model.layers[index] = layer
        }
        return model
    }

    /// (steps, channels) as (1, steps, channels); other ranks as they are.
    private static func image(_ shape: TensorShape) -> TensorShape {
        shape.rank == 2 ? TensorShape([1] + shape.dimensions) : shape
    }
}
