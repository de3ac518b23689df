/// What `keras.utils.plot_model(model, show_shapes=True, show_layer_names=True)`
/// draws, as data: a box per row of Keras's summary (an input, a layer, a
/// nested model; a shared layer once for all its calls) with its lines of
/// text, and an arrow from each box to every box that reads its output.
/// `DOTDiagram` and `SVGDiagram` render it.
public struct ModelDiagram: Sendable, Equatable {
    public struct Box: Sendable, Equatable {
        /// `name (Class)`, then the shapes and the counts asked for.
        public var lines: [String]
        /// How many arrows lie between it and an input, on the longest path: its row in a top-down layout.
        public var level: Int
    }

    public struct Arrow: Sendable, Equatable {
        public var from: Int
        public var to: Int
    }

    public var title: String
    public var boxes: [Box]
    public var arrows: [Arrow]

    public struct Options: Sendable, Equatable {
        public var showFLOPs = false
        public var showMemory = false
        public init(showFLOPs: Bool = false, showMemory: Bool = false) {
            self.showFLOPs = showFLOPs
            self.showMemory = showMemory
        }
    }

    public init(model: CheckedModel, options: Options = Options()) {
        title = model.name
        let rows = model.summaryTable
        // Which box shows a tensor: its input, its layer (a shared layer's first call), or its nested model.
        var boxOfLayer: [Int: Int] = [:], boxOfInput: [Int: Int] = [:], boxOfNested: [Int: Int] = [:]
        for (box, row) in rows.enumerated() {
            switch row {
            case .input(let index): boxOfInput[index] = box
            case .layer(let index): boxOfLayer[index] = box
            case .nestedModel(let index): boxOfNested[index] = box
            }
        }
        func box(of tensor: TensorReference) -> Int? {
            switch tensor {
            case .input(let index):
                return boxOfInput[index]
            case .layer(let index):
                let layer = model.layers[index]
                if let nested = layer.nestedModel { return boxOfNested[model.nestedModels[nested].firstCall ?? nested] }
                return boxOfLayer[layer.sharesWeightsOf ?? index]
            }
        }
        var boxes: [Box] = []
        var arrows: [Arrow] = []
        func shapes(_ tensors: [TensorReference]) -> String {
            let all = tensors.map { "(None, " + model.shape(of: $0).dimensions.map(String.init).joined(separator: ", ") + ")" }
            return all.count == 1 ? all[0] : "[" + all.joined(separator: ", ") + "]"
        }
        for (index, row) in rows.enumerated() {
            var lines: [String]
            var reads: [TensorReference] = []
            switch row {
            case .input(let input):
                let tensor = TensorReference.input(input)
                lines = ["\(model.inputs[input].name) (InputLayer)", "Output shape: \(shapes([tensor]))"]
            case .layer(let layerIndex):
                let calls = model.calls(of: layerIndex).map { model.layers[$0] }
                let layer = model.layers[layerIndex]
                reads = calls.flatMap(\.inputs)
                lines = ["\(layer.name) (\(layer.className))", "Input shape: \(shapes(calls[0].inputs))",
                         "Output shape: \(shapes([.layer(layerIndex)]))", "Param #: \(Formatting.thousands(layer.parameters))"]
                if calls.count > 1 { lines.append("called \(calls.count) times") }
                if options.showFLOPs { lines.append("FLOPs: \(Formatting.thousands(calls.reduce(0) { $0 + $1.flops }))") }
                if options.showMemory { lines.append("Output: \(Formatting.bytes(layer.outputShape.elementCount * 4))") }
            case .nestedModel(let nestedIndex):
                let nested = model.nestedModels[nestedIndex], calls = model.nestedCalls(of: nestedIndex).map { model.nestedModels[$0] }
                let totals = model.nestedTotals(nestedIndex)
                reads = calls.flatMap(\.inputs)
                lines = ["\(nested.name) (\(nested.className))", "Input shape: \(shapes(nested.inputs))",
                         "Output shape: \(shapes([nested.output]))", "Param #: \(Formatting.thousands(totals.parameters))"]
                if calls.count > 1 { lines.append("called \(calls.count) times") }
                if options.showFLOPs { lines.append("FLOPs: \(Formatting.thousands(totals.flops))") }
                if options.showMemory { lines.append("Output: \(Formatting.bytes(model.shape(of: nested.output).elementCount * 4))") }
            }
            // A Sequential model's summary has no input row: each layer reads the one above it.
            var sources = reads.compactMap(box(of:)).filter { $0 != index }
            if model.kind == .sequential || model.printsAsSequential, index > 0, sources.isEmpty { sources = [index - 1] }
            var seen = Set<Int>()
            for source in sources where seen.insert(source).inserted { arrows.append(Arrow(from: source, to: index)) }
            let level = sources.filter { $0 < boxes.count }.map { boxes[$0].level + 1 }.max() ?? 0
            boxes.append(Box(lines: lines, level: level))
        }
        self.boxes = boxes
        self.arrows = arrows
    }
}
