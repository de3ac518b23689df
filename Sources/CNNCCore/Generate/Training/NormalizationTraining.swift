/// BatchNormalization in training mode, as Keras's `fit` runs it: each channel
/// is normalized with the mean and the biased variance of the whole batch
/// (over samples and positions), and the gradient flows through those
/// statistics too:
///
///     x̂ = (x − μ) / σ,  σ = sqrt(var + ε),  y = γ·x̂ + β
///     dL/dγ = Σ dy·x̂,  dL/dβ = Σ dy
///     dL/dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂))
///
/// (means and sums over the batch and the positions, per channel). The sums
/// cross samples, so this layer is where a training step's phases meet (see
/// `TrainableModel`). Per layer, the sums the samples add to (Doubles) and the
/// statistics the runtime derives from them (Floats) each have a slice:
///
///     sums:       Σx | Σx² | Σdy | Σdy·x̂                  (4 × channels)
///     statistics: mean | variance | 1/σ | mean(dy) | mean(dy·x̂)   (5 × channels)
struct NormalizationTraining: Codable, Hashable, Sendable {
    var layer: CheckedLayer
    var index: Int
    var function: String
    var config: BatchNormalizationConfig
    var channels: Int
    /// Positions per sample that share a channel's statistics (1 for a vector).
    var positions: Int
    /// Keras-layout offsets in the parameter buffer (`k`, `gk`).
    var gammaOffset: Int?
    var betaOffset: Int?
    var meanOffset: Int
    var varianceOffset: Int
    var sumOffset: Int
    var statisticsOffset: Int
    /// The ReLU that alone reads this layer's output, run in its store
    /// (`ReLUInStore`): relu(y) goes straight into the ReLU's output, and
    /// nothing writes y. (A pass over the tensor saved for every
    /// BatchNormalization-ReLU pair of a ResNet.)
    var fusedReLU: ReLUInStore? = nil

    static let sumsPerChannel = 4
    static let statisticsPerChannel = 5

    /// Every BatchNormalization layer of the model that normalizes with the
    /// batch's statistics, with its slices laid out in order. A frozen one
    /// (`trainable: false`) is left out: Keras's fit runs it in inference mode,
    /// with its moving statistics, which then stay as they are.
    static func plan(model: CheckedModel, weights: WeightPlan) -> [NormalizationTraining] {
        var plans: [NormalizationTraining] = []
        var sums = 0, statistics = 0
        for (index, layer) in model.layers.enumerated() {
            guard case .batchNormalization(let config) = layer.operation, !layer.frozen,
                  case .normalization(let packed)? = weights.packing[index] else { continue }
            let offset = { (tensor: Int?) in tensor.map { weights.tensors[$0].offset } }
            plans.append(NormalizationTraining(
                layer: layer, index: index, function: SwiftNames.layerFunction(index: index, layerName: layer.name),
                config: config, channels: packed.channels, positions: layer.outputShape.elementCount / packed.channels,
                gammaOffset: offset(packed.gammaTensor), betaOffset: offset(packed.betaTensor),
                meanOffset: weights.tensors[packed.meanTensor].offset, varianceOffset: weights.tensors[packed.varianceTensor].offset,
                sumOffset: sums, statisticsOffset: statistics, fusedReLU: ReLUInStore.after(index, in: model)))
            sums += sumsPerChannel * packed.channels
            statistics += statisticsPerChannel * packed.channels
        }
        return plans
    }

    private var count: Int { positions * channels }
    private func sum(_ slice: Int) -> Int { sumOffset + slice * channels }
    private func statistic(_ slice: Int) -> Int { statisticsOffset + slice * channels }
    private var gamma: String { gammaOffset.map { "k[\($0) + c]" } ?? "1" }

    func emitFunctions(into out: inout SourceWriter) {
        let header = "// \(layer.name): BatchNormalization in training mode, over the batch and \(positions) position\(positions == 1 ? "" : "s")"

        out.line(header + ": this sample's part of Σx and Σx²")
        out.line("@inline(never)")
        out.block("static func \(function)_statistics(_ x: UnsafePointer<Float>, _ sums: UnsafeMutablePointer<Double>)") { out in
            out.loop("position", count: positions) { out, position in
                out.line("let v = \((position * channels).offsetting("x"))")
                out.line(Index.loopLine("c", count: channels) { c in "let value = Double(v[\(c)]); sums[\(sum(0))\(c.added)] += value; sums[\(sum(1))\(c.added)] += value * value" })
            }
        }
        out.line()

        out.line(header + ": y = γ·(x − mean)/σ + β with the batch's mean and σ" + (fusedReLU == nil ? "" : ", then its ReLU"))
        out.line("@inline(never)")
        out.block("static func \(function)_normalize(_ x: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.loop("position", count: positions) { out, position in
                out.line("let v = \((position * channels).offsetting("x")), o = \((position * channels).offsetting("y"))")
                let beta = betaOffset.map { " + k[\($0) + c]" } ?? ""
                let normalized = "\(gamma) * ((v[c] - s[\(statistic(0)) + c]) * s[\(statistic(2)) + c])\(beta)"
                if let fusedReLU {
                    out.line("for c in 0..<\(channels) { let n = \(normalized); o[c] = \(fusedReLU.clamp.scalar("n")) }")
                } else {
                    out.line("for c in 0..<\(channels) { o[c] = \(normalized) }")
                }
            }
        }
        out.line()

        out.line(header + ": this sample's part of Σdy and Σdy·x̂, which are also dL/dβ and dL/dγ")
        out.line("@inline(never)")
        out.block("static func \(function)_gradientSums(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ gk: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Double>)") { out in
            // Positions outer, channels inner: every load is contiguous and the channels'
            // sums advance side by side. (Channel by channel, each sum was one chain of
            // dependent additions read at a stride: 7% of a ResNet-20 training step.) Each
            // channel still adds its positions in order, so no bit changes.
            out.block("withUnsafeTemporaryAllocation(of: Double.self, capacity: \(2 * channels))", opening: " { buffer in") { out in
                out.line("let g = buffer.baseAddress!, gx = g + \(channels)")
                out.line("g.initialize(repeating: 0, count: \(2 * channels))")
                out.loop("position", count: positions) { out, position in
                    out.line("let at = \(position * channels)")
                    out.line(Index.loopLine("c", count: channels) { c in
                        "let d = Double(dy[at\(c.added)]); g[\(c)] += d; gx[\(c)] += d * Double((x[at\(c.added)] - s[\(statistic(0))\(c.added)]) * s[\(statistic(2))\(c.added)])"
                    })
                }
                out.loop("c", count: channels) { out, c in
                    out.line("sums[\(sum(2))\(c.added)] += g[\(c)]; sums[\(sum(3))\(c.added)] += gx[\(c)]")
                    if let gammaOffset { out.line("gk[\(gammaOffset)\(c.added)] += Float(gx[\(c)])") }
                    if let betaOffset { out.line("gk[\(betaOffset)\(c.added)] += Float(g[\(c)])") }
                }
            }
        }
        out.line()

        out.line(header + ": dL/dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂))")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>)") { out in
            out.loop("position", count: positions) { out, position in
                out.line("let at = \(position * channels)")
                out.block("for c in 0..<\(channels)") { out in
                    out.line("let inverse = s[\(statistic(2)) + c], normalized = (x[at + c] - s[\(statistic(0)) + c]) * inverse")
                    out.line("dx[at + c] = \(gamma) * inverse * (dy[at + c] - s[\(statistic(3)) + c] - normalized * s[\(statistic(4)) + c])")
                }
            }
        }
        out.line()
    }

    /// The runtime's step after the forward phase that ends here: mean, biased variance, 1/σ.
    func emitForwardStatistics(into out: inout SourceWriter) {
        out.line("// \(layer.name): the batch's mean and (biased, as Keras's) variance over samples × \(positions)")
        out.line("let n = Double(samples * \(positions))")
        out.block("for c in 0..<\(channels)") { out in
            out.line("let mean = sums[\(sum(0)) + c] / n, variance = Swift.max(sums[\(sum(1)) + c] / n - mean * mean, 0)")
            out.line("statistics[\(statistic(0)) + c] = Float(mean); statistics[\(statistic(1)) + c] = Float(variance)")
            out.line("statistics[\(statistic(2)) + c] = Float(1 / (variance + \(config.epsilon)).squareRoot())")
        }
    }

    /// The runtime's step after the backward phase that reached here: mean(dy), mean(dy·x̂).
    func emitBackwardStatistics(into out: inout SourceWriter) {
        out.line("// \(layer.name): mean(dy) and mean(dy·x̂) over samples × \(positions)")
        out.line("let n = Double(samples * \(positions))")
        out.block("for c in 0..<\(channels)") { out in
            out.line("statistics[\(statistic(3)) + c] = Float(sums[\(sum(2)) + c] / n); statistics[\(statistic(4)) + c] = Float(sums[\(sum(3)) + c] / n)")
        }
    }

    /// Keras: moving = moving·momentum + batch·(1 − momentum), in float32.
    func emitMovingAverageUpdate(into out: inout SourceWriter) {
        out.line("// \(layer.name): momentum \(config.momentum)")
        out.block("for c in 0..<\(channels)") { out in
            out.line("parameters[\(meanOffset) + c] = parameters[\(meanOffset) + c] * Float(\(config.momentum)) + statistics[\(statistic(0)) + c] * Float(\(1 - config.momentum))")
            out.line("parameters[\(varianceOffset) + c] = parameters[\(varianceOffset) + c] * Float(\(config.momentum)) + statistics[\(statistic(1)) + c] * Float(\(1 - config.momentum))")
        }
    }
}
