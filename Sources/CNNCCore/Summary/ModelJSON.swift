import Foundation

/// The whole checked model as JSON, for machines: `cnnc summary --format json`.
/// Keys are snake_case, as in Keras's own JSON.
public enum ModelJSON {
    struct Document: Encodable {
        var name: String
        var kind: ModelKind
        var sourceFile: String
        var inputs: [Input]
        var outputs: [String]
        var inputShape: [Int]
        var outputShape: [Int]
        var layers: [Layer]
        var totalParams: Int
        var trainableParams: Int
        var nonTrainableParams: Int
        var flops: Int
        var peakActivationBytes: Int
    }

    struct Input: Encodable {
        var name: String
        var shape: [Int]
    }

    struct Layer: Encodable {
        var name: String
        var className: String
        /// The inputs and layers whose outputs it reads, and their shapes.
        var reads: [String]
        var inputShapes: [[Int]]
        var location: SourceLocation
        var inputShape: [Int]
        var outputShape: [Int]
        var padding: Padding2D?
        var trainableParams: Int
        var nonTrainableParams: Int
        var flops: Int
        var activationBytes: Int
        var config: LayerConfig
    }

    /// The operation's resolved arguments, flattened beside the layer.
    struct LayerConfig: Encodable {
        var operation: LayerOperation

        func encode(to encoder: any Encoder) throws {
            switch operation {
            case .conv2D(let config): try config.encode(to: encoder)
            case .depthwiseConv2D(let config): try config.encode(to: encoder)
            case .separableConv2D(let config): try config.encode(to: encoder)
            case .conv2DTranspose(let config): try config.encode(to: encoder)
            case .maxPooling2D(let config), .averagePooling2D(let config): try config.encode(to: encoder)
            case .globalAveragePooling2D(let config), .globalMaxPooling2D(let config): try config.encode(to: encoder)
            case .dropout(let config): try config.encode(to: encoder)
            case .dense(let config): try config.encode(to: encoder)
            case .relu(let config): try config.encode(to: encoder)
            case .batchNormalization(let config): try config.encode(to: encoder)
            case .layerNormalization(let config): try config.encode(to: encoder)
            case .prelu(let config): try config.encode(to: encoder)
            case .layerScale(let config): try config.encode(to: encoder)
            case .zeroPadding2D(let padding), .cropping2D(let padding): try padding.encode(to: encoder)
            case .upSampling2D(let config): try config.encode(to: encoder)
            case .resizing(let config): try config.encode(to: encoder)
            case .reshape(let config): try config.encode(to: encoder)
            case .rescaling(let config): try config.encode(to: encoder)
            case .normalization(let config): try config.encode(to: encoder)
            case .elu(let alpha): try ["alpha": alpha].encode(to: encoder)
            case .activation(let activation):
                var container = encoder.container(keyedBy: ActivationKey.self)
                try container.encode(activation, forKey: .activation)
            case .concatenate(let config): try config.encode(to: encoder)
            case .oneDimensional(.conv1D(let config)): try config.encode(to: encoder)
            case .oneDimensional(.maxPooling1D(let config)), .oneDimensional(.averagePooling1D(let config)): try config.encode(to: encoder)
            case .oneDimensional(.globalAveragePooling1D(let config)), .oneDimensional(.globalMaxPooling1D(let config)):
                try config.encode(to: encoder)
            case .oneDimensional(.zeroPadding1D(let padding)), .oneDimensional(.cropping1D(let padding)):
                try ["left": padding.left, "right": padding.right].encode(to: encoder)
            case .oneDimensional(.upSampling1D(let size)): try ["size": size].encode(to: encoder)
            case .permute(let config): try config.encode(to: encoder)
            case .repeatVector(let config): try config.encode(to: encoder)
            case .merge(.scaledAdd(let scale)): try ["scale": scale].encode(to: encoder)
            case .flatten, .softmax, .identityAtInference, .merge:
                _ = encoder.container(keyedBy: ActivationKey.self)
            }
        }

        enum ActivationKey: String, CodingKey { case activation }
    }

    public static func encode(_ model: CheckedModel) -> String {
        let document = Document(
            name: model.name, kind: model.kind, sourceFile: model.sourceFile,
            inputs: model.inputs.map { Input(name: $0.name, shape: $0.shape.dimensions) }, outputs: model.outputs.map(model.name(of:)),
            inputShape: model.inputShape.dimensions, outputShape: model.outputShape.dimensions,
            layers: model.layers.map { layer in
                Layer(name: layer.name, className: layer.className, reads: layer.inputs.map(model.name(of:)),
                      inputShapes: layer.inputs.map { model.shape(of: $0).dimensions }, location: layer.location,
                      inputShape: layer.inputShape.dimensions, outputShape: layer.outputShape.dimensions,
                      padding: layer.padding, trainableParams: layer.trainableParameters,
                      nonTrainableParams: layer.nonTrainableParameters, flops: layer.flops,
                      activationBytes: layer.activationBytes, config: LayerConfig(operation: layer.operation))
            },
            totalParams: model.parameters, trainableParams: model.trainableParameters,
            nonTrainableParams: model.nonTrainableParameters, flops: model.flops,
            peakActivationBytes: model.peakActivationBytes)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every value is a plain number, string or bool, so encoding cannot fail.
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
