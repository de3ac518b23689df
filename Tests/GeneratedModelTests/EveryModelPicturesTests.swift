import CNNCCore
import CNNCRuntime
import CNNCTraining
import CNNCZoo
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GraphModels
import Testing

/// The four pictures (`cnnc diagram`, `train --plot`, `evaluate --plot`,
/// `predict --plot-layers`) for every model in Specs/ and a functional model,
/// through the functions those commands call, on the compiled models: a
/// diagram from the checked spec, curves from two real epochs, a confusion
/// matrix from a real evaluation, feature maps and filters from the model's
/// own layer outputs and weights. Each SVG must parse as XML. Models whose
/// output is not a vector of class scores (the seed examples' feature maps,
/// the U-Net's mask) cannot train on class labels: that is refused with the
/// reason, as `cnnc train` refuses it.
@Suite struct EveryModelPicturesTests {
    init() { UnoptimizedTestModels.allowed }

    static let functional = "Tests/Fixtures/graphs/residual_block.yaml"
    static let specs = CNNCZoo.models.map(\.spec) + [functional]

    static func type(of spec: String) throws -> any CompiledModel.Type {
        try #require((CNNCZoo.models + GraphModels.models).first { $0.spec == spec }?.type)
    }

    /// Parses as XML, with an SVG root element and a title.
    static func expectWellFormed(_ svg: String, _ what: String) {
        final class Root: NSObject, XMLParserDelegate {
            var elements: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                elements.append(name)
            }
        }
        let parser = XMLParser(data: Data(svg.utf8)), root = Root()
        parser.delegate = root
        #expect(parser.parse(), "\(what): \(parser.parserError.map { "\($0)" } ?? "not XML")")
        #expect(root.elements.first == "svg" && root.elements.contains("title"), "\(what)")
    }

    @Test(arguments: specs)
    func everyPicture(spec: String) throws {
        let checked = try Frontend.load(path: ZooAgreesWithReferenceTests.repository.appendingPathComponent(spec).path).get()
        let diagram = ModelDiagram(model: checked)
        #expect(diagram.boxes.count == checked.summaryTable.count)
        Self.expectWellFormed(SVGDiagram.render(diagram), "\(spec) diagram")
        try Self.layerPictures(try Self.type(of: spec), checked: checked, spec: spec)
        let type = try Self.type(of: spec)
        guard let trainable = type as? any TrainableModel.Type else {
            Issue.record("\(spec): \(type) is not trainable")
            return
        }
        try Self.trainingPictures(trainable, spec: spec)
    }

    /// `predict --plot-layers`: the first convolution's filters and every convolution's feature maps.
    static func layerPictures<Model: CompiledModel>(_ type: Model.Type, checked: CheckedModel, spec: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-pictures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Model(seed: 5)
        var random = SplitMix64(seed: 6, stream: 1)
        let input = (0..<(2 * Model.inputCount)).map { _ in Float(random.nextUniform(0, 1)) }
        let (dump, weights) = (folder.appendingPathComponent("layers.safetensors").path, folder.appendingPathComponent("weights.safetensors").path)
        try model.writeLayerOutputs(batch: input, to: dump)
        try model.write(to: weights)
        let layers = checked.layers.enumerated().map { index, layer in
            LayerPictureSet.Layer(index: index, name: layer.name, outputName: layer.descriptionName, className: layer.className)
        }
        let pictures = try LayerPictureSet.pictures(layers: layers, outputs: try SafeTensors.read(path: dump), weights: try SafeTensors.read(path: weights))
        let convolutions = layers.filter { LayerPictureSet.convolutionClasses.contains($0.className) }
        #expect(pictures.filter { $0.name.hasSuffix(".features.svg") }.count == convolutions.count, "\(spec)")
        if let first = convolutions.first, ["Conv1D", "Conv2D"].contains(first.className) {
            #expect(pictures.first?.name.hasSuffix(".filters.svg") == true, "\(spec)")
        }
        for picture in pictures { expectWellFormed(picture.svg, "\(spec) \(picture.name)") }
    }

    /// `train --plot` and `evaluate --plot`, on random images of the model's input shape.
    static func trainingPictures<Model: TrainableModel>(_ type: Model.Type, spec: String) throws {
        let outputs = Model.outputShape.reduce(1, *)
        let classes = Model.outputShape.count == 1 ? max(outputs, 2) : 2
        // Several inputs or outputs train on named arrays (NamedArraysSession), without a classifier's pictures.
        guard Model.inputLayout.count == 1, Model.outputLayout.count == 1 else {
            #expect(throws: RuntimeError.self, "\(spec)") {
                try Trainer(model: Model(seed: 8), optimizer: try sgd(0.01, for: Model.self), loss: nil, classCount: classes, batchSize: 4, threads: 1, seed: 9)
            }
            return
        }
        guard Model.outputShape.count == 1 else {
            #expect(throws: RuntimeError.self, "\(spec)") { try ClassTargets(classCount: classes, outputShape: Model.outputShape) }
            return
        }
        // A sequence (steps, channels) trains as images of one row.
        let shape = Model.inputShape.count == 2 ? [1] + Model.inputShape : Model.inputShape.count == 1 ? [1, Model.inputCount, 1] : Model.inputShape
        let count = 8
        var random = SplitMix64(seed: 7, stream: 2)
        let pixels = (0..<(count * Model.inputCount)).map { _ in Float(random.nextUniform(0, 1)) }
        let data = try LabeledImages(height: shape[0], width: shape[1], channels: shape[2], pixels: pixels,
                                     labels: (0..<count).map { Int32($0 % classes) }, classCount: classes)
        let trainer = try Trainer(model: Model(seed: 8), optimizer: try sgd(0.01, for: Model.self), loss: nil, classCount: classes,
                                  batchSize: 4, threads: 1, seed: 9)
        var history = TrainingHistory()
        for epoch in 0..<2 {
            let metrics = try trainer.trainEpoch(epoch, on: data) { _ in }
            let validation = try Evaluation(model: try trainer.model, data: data, loss: trainer.loss, targets: trainer.targets, threads: 1)
            #expect(metrics.loss.isFinite && validation.loss.isFinite, "\(spec)")
            history.rows.append(.init(epoch: epoch, accuracy: metrics.accuracy, loss: metrics.loss,
                                      validationAccuracy: validation.accuracy, validationLoss: validation.loss, seconds: 0))
        }
        expectWellFormed(TrainingCurves.svg(history, title: "\(Model.self) training"), "\(spec) curves")
        let result = try Evaluation(model: try trainer.model, data: data, loss: trainer.loss, targets: trainer.targets, threads: 1)
        #expect(result.confusion.joined().reduce(0, +) == count, "\(spec)")
        expectWellFormed(ConfusionMatrixPicture.svg(result.confusion, classNames: [], title: "\(Model.self) on training images"), "\(spec) confusion matrix")
    }
}
