import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation

/// The plain reference every generated kernel is checked against: obvious
/// nested loops over the checked model, Float64 accumulation, bounds checks
/// on every tap. Slow on purpose and easy to read against Keras's documentation.
struct ReferenceNetwork {
    let model: CheckedModel
    /// Keras-layout tensors by name (`conv1.kernel`), widened to Double.
    let tensors: [String: [Double]]

    /// One sample's outputs, packed one after another as compiled models return them.
    func outputs(_ input: [Float]) -> [Double] {
        let layers = run(input)
        return model.outputs.flatMap { tensor -> [Double] in
            switch tensor {
            case .layer(let index): layers[index]
            case .input(let index): Self.slice(input.map(Double.init), model.inputLayout.slots[index])
            }
        }
    }

    /// One tensor of a packed sample.
    static func slice(_ packed: [Double], _ slot: SampleLayout.Slot) -> [Double] {
        Array(packed[slot.offset..<(slot.offset + slot.shape.elementCount)])
    }

    /// One sample through every layer in inference mode; returns each layer's output in order.
    func run(_ input: [Float]) -> [[Double]] {
        run(input.map(Double.init))
    }

    /// Layers run in the model's order, each reading the tensors it names:
    /// for a graph, the outputs of earlier layers or the inputs (several
    /// inputs packed one after another, as compiled models take them).
    func run(_ input: [Double]) -> [[Double]] {
        var outputs: [[Double]] = []
        for layer in model.layers {
            let reads = layer.inputs.map { tensor -> [Double] in
                switch tensor {
                case .input(let index): Self.slice(input, model.inputLayout.slots[index])
                case .layer(let index): outputs[index]
                }
            }
            outputs.append(reads.count == 1 ? apply(layer, to: reads[0]) : merge(layer, reads))
        }
        return outputs
    }

    /// A merge layer of several inputs, by output coordinates: each input is
    /// lined up with the output's last axes, and its sizes of 1 repeat.
    private func merge(_ layer: CheckedLayer, _ reads: [[Double]]) -> [Double] {
        let shapes = layer.inputs.map { model.shape(of: $0).dimensions }
        let output = layer.outputShape.dimensions
        func coordinates(_ flat: Int, _ dimensions: [Int]) -> [Int] {
            var rest = flat
            return dimensions.indices.reversed().map { axis in
                defer { rest /= dimensions[axis] }
                return rest % dimensions[axis]
            }.reversed()
        }
        func flat(_ coordinates: [Int], _ dimensions: [Int]) -> Int {
            zip(coordinates, dimensions).reduce(0) { $0 * $1.1 + $1.0 }
        }
        switch layer.operation {
        case .concatenate(let config):
            let axis = config.sampleAxis(rank: output.count)!
            return (0..<layer.outputShape.elementCount).map { index in
                var at = coordinates(index, output)
                var input = 0
                while at[axis] >= shapes[input][axis] { at[axis] -= shapes[input][axis]; input += 1 }
                return reads[input][flat(at, shapes[input])]
            }
        case .merge(let operation):
            return (0..<layer.outputShape.elementCount).map { index in
                let at = coordinates(index, output)
                let values = zip(reads, shapes).map { values, shape in
                    let aligned = Array(at.suffix(shape.count))
                    return values[flat(zip(aligned, shape).map { $1 == 1 ? 0 : $0 }, shape)]
                }
                switch operation {
                case .add: return values.reduce(0, +)
                case .subtract: return values[0] - values[1]
                case .multiply: return values.reduce(1, *)
                case .average: return values.reduce(0, +) / Double(values.count)
                case .maximum: return values.max()!
                case .minimum: return values.min()!
                case .scaledAdd(let scale): return values[0] + values[1] * Double(Float(scale))
                }
            }
        default:
            fatalError("\(layer.name) reads \(reads.count) tensors but is not a merge layer")
        }
    }

    /// A batch through every layer in training mode, returning each sample's
    /// output. Dropout draws its masks as the generated code does (SplitMix64
    /// from the sample's seed with the layer's index as the stream, one uniform
    /// per element, kept when below 1 − rate, scaled by 1/(1 − rate)).
    /// BatchNormalization normalizes with the batch's mean and biased variance
    /// over samples and positions, as Keras's `fit` does (unless frozen). The noise layers
    /// draw as the generated code does (Box–Muller normals, per-channel
    /// masks, same streams), and ActivityRegularization's penalty is returned
    /// per sample, to add to its loss.
    func runTraining(_ batch: [[Double]], dropoutSeeds: [UInt64]) -> (outputs: [[Double]], penalties: [Double]) {
        var penalties = [Double](repeating: 0, count: batch.count)
        // Each layer's output for every sample of the batch.
        var outputs: [[[Double]]] = []
        for (index, layer) in model.layers.enumerated() {
            let reads = layer.inputs.map { tensor -> [[Double]] in
                switch tensor {
                case .input(let input): batch.map { Self.slice($0, model.inputLayout.slots[input]) }
                case .layer(let index): outputs[index]
                }
            }
            var xs = reads[0]
            defer { outputs.append(xs) }
            func randoms() -> [SplitMix64] { dropoutSeeds.map { SplitMix64(seed: $0, stream: UInt64(index)) } }
            switch layer.operation {
            case .identityAtInference(let trainingOnly):
                var generators = randoms()
                switch trainingOnly {
                case .gaussianNoise(let stddev):
                    xs = xs.indices.map { sample in xs[sample].map { $0 + Double(Float(stddev * generators[sample].nextGaussian())) } }
                case .gaussianDropout(let rate):
                    let deviation = (rate / (1 - rate)).squareRoot()
                    xs = xs.indices.map { sample in xs[sample].map { $0 * Double(Float(1 + deviation * generators[sample].nextGaussian())) } }
                case .spatialDropout(let rate):
                    let keep = 1 - rate, channels = layer.inputShape.lastAxis
                    xs = xs.indices.map { sample in
                        let mask = (0..<channels).map { _ in generators[sample].nextUnit() < keep ? Double(Float(1 / keep)) : 0 }
                        return xs[sample].enumerated().map { $1 * mask[$0 % channels] }
                    }
                case .activityRegularization(let l1, let l2):
                    // Keras 3 keeps a shared layer's last call's penalty only.
                    guard model.isLastCall(index) else { break }
                    for sample in xs.indices {
                        penalties[sample] += xs[sample].reduce(0) { $0 + l1 * abs($1) + l2 * $1 * $1 }
                    }
                case .identity:
                    break
                case .randomImage(let random):
                    xs = xs.indices.map { sample in
                        RandomImageReference.transform(xs[sample], random.transform, shape: layer.inputShape.dimensions, random: &generators[sample])
                    }
                }
            case .dropout(let config):
                let keep = 1 - config.rate
                let scale = Double(Float(1 / keep))
                var generators = randoms()
                if let mask = config.sampleMaskShape(for: layer.inputShape) {
                    // One draw per cell of the mask, in order; a value uses the cell at its
                    // coordinates, with 0 along the mask's axes of size 1.
                    let shape = layer.inputShape.dimensions
                    xs = xs.indices.map { sample in
                        let draws = (0..<mask.reduce(1, *)).map { _ in generators[sample].nextUnit() < keep ? scale : 0 }
                        return xs[sample].enumerated().map { i, value in
                            var rest = i, cell = 0, cellStride = 1
                            for axis in shape.indices.reversed() {
                                let coordinate = rest % shape[axis]
                                rest /= shape[axis]
                                cell += (mask[axis] == 1 ? 0 : coordinate) * cellStride
                                cellStride *= mask[axis]
                            }
                            return value * draws[cell]
                        }
                    }
                } else {
                    xs = xs.indices.map { sample in xs[sample].map { generators[sample].nextUnit() < keep ? $0 * scale : 0 } }
                }
            case .batchNormalization where layer.frozen:
                // Keras's fit runs a frozen BatchNormalization in inference mode.
                xs = xs.map { apply(layer, to: $0) }
            case .batchNormalization(let config):
                let c = layer.inputShape.lastAxis
                let gamma = tensor(layer, "gamma"), beta = tensor(layer, "beta")
                var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
                let n = Double(xs.count * (xs[0].count / c))
                for x in xs { for (i, v) in x.enumerated() { mean[i % c] += v / n } }
                for x in xs { for (i, v) in x.enumerated() { variance[i % c] += (v - mean[i % c]) * (v - mean[i % c]) / n } }
                xs = xs.map { x in
                    x.enumerated().map { i, v in
                        (gamma?[i % c] ?? 1) * (v - mean[i % c]) / (variance[i % c] + config.epsilon).squareRoot() + (beta?[i % c] ?? 0)
                    }
                }
            case .merge, .concatenate:
                xs = batch.indices.map { sample in merge(layer, reads.map { $0[sample] }) }
            default:
                xs = xs.map { apply(layer, to: $0) }
            }
        }
        // Each sample's outputs packed one after another (a trainable model returns layers' outputs).
        let packed = batch.indices.map { sample in
            model.outputs.flatMap { tensor -> [Double] in
                if case .layer(let index) = tensor { outputs[index][sample] } else { [] }
            }
        }
        return (packed, penalties)
    }

    private func tensor(_ layer: CheckedLayer, _ weight: String) -> [Double]? {
        tensors["\(layer.name).\(weight)"]
    }

    /// DepthwiseConv2D: output channel co = ci·m + j reads input channel ci through
    /// Keras's (kh, kw, cin, m) kernel; padded cells are zeros.
    private func depthwiseConvolution(_ x: [Double], input: [Int], output: [Int], config: DepthwiseConv2DConfig, padding pad: Padding2D,
                                      kernel: [Double], bias: [Double]?) -> [Double] {
        let (h, w, cin) = (input[0], input[1], input[2])
        let (oh, ow, cout) = (output[0], output[1], output[2])
        let m = config.depthMultiplier
        var y = [Double](repeating: 0, count: oh * ow * cout)
        for oy in 0..<oh { for ox in 0..<ow { for co in 0..<cout {
            var sum = bias?[co] ?? 0
            for ky in 0..<config.kernelSize.height { for kx in 0..<config.kernelSize.width {
                let iy = oy * config.strides.height + ky * config.dilationRate.height - pad.top
                let ix = ox * config.strides.width + kx * config.dilationRate.width - pad.left
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                sum += x[(iy * w + ix) * cin + co / m] * kernel[((ky * config.kernelSize.width + kx) * cin + co / m) * m + co % m]
            } }
            y[(oy * ow + ox) * cout + co] = sum
        } } }
        return y
    }

    private func apply(_ layer: CheckedLayer, to x: [Double]) -> [Double] {
        let input = layer.inputShape.dimensions
        let output = layer.outputShape.dimensions
        switch layer.operation {
        case .conv2D(let config) where config.groups > 1:
            // A group a channel (the checker refuses other groupings): a depthwise convolution.
            let depthwise = config.depthwise(inputChannels: input[2])!
            let y = depthwiseConvolution(x, input: input, output: output, config: depthwise, padding: layer.padding ?? .zero,
                                         kernel: tensor(layer, "kernel")!, bias: tensor(layer, "bias"))
            return activate(y, config.activation, channels: output[2])
        case .conv2D(let config):
            let (h, w, cin) = (input[0], input[1], input[2])
            let (oh, ow, cout) = (output[0], output[1], output[2])
            let kernel = tensor(layer, "kernel")!, bias = tensor(layer, "bias")
            let pad = layer.padding ?? .zero
            // Each output adds its products in the order ky, kx, ci after its
            // bias; the filters are the inner loop, which reads the kernel's
            // rows in order (the gradient checks run this thousands of times).
            var y = [Double](repeating: 0, count: oh * ow * cout)
            for oy in 0..<oh { for ox in 0..<ow {
                let out = (oy * ow + ox) * cout
                for co in 0..<cout { y[out + co] = bias?[co] ?? 0 }
                for ky in 0..<config.kernelSize.height { for kx in 0..<config.kernelSize.width {
                    let iy = oy * config.strides.height + ky * config.dilationRate.height - pad.top
                    let ix = ox * config.strides.width + kx * config.dilationRate.width - pad.left
                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                    for ci in 0..<cin {
                        let value = x[(iy * w + ix) * cin + ci], row = ((ky * config.kernelSize.width + kx) * cin + ci) * cout
                        for co in 0..<cout { y[out + co] += value * kernel[row + co] }
                    }
                } }
            } }
            return activate(y, config.activation, channels: cout)
        case .separableConv2D(let config):
            // The depthwise step, then a 1x1 convolution, in Double throughout.
            let (oh, ow) = (output[0], output[1])
            let middle = input[2] * config.depthMultiplier
            let depthwise = depthwiseConvolution(x, input: input, output: [oh, ow, middle], config: config.depthwise, padding: layer.padding ?? .zero,
                                                 kernel: tensor(layer, "depthwise_kernel")!, bias: nil)
            let kernel = tensor(layer, "pointwise_kernel")!, bias = tensor(layer, "bias")
            var y = [Double](repeating: 0, count: oh * ow * config.filters)
            for pixel in 0..<(oh * ow) {
                let out = pixel * config.filters
                for co in 0..<config.filters { y[out + co] = bias?[co] ?? 0 }
                for ci in 0..<middle {
                    let value = depthwise[pixel * middle + ci], row = ci * config.filters
                    for co in 0..<config.filters { y[out + co] += value * kernel[row + co] }
                }
            }
            return activate(y, config.activation, channels: config.filters)
        case .depthwiseConv2D(let config):
            let y = depthwiseConvolution(x, input: input, output: output, config: config, padding: layer.padding ?? .zero,
                                         kernel: tensor(layer, "kernel")!, bias: tensor(layer, "bias"))
            return activate(y, config.activation, channels: output[2])
        case .conv2DTranspose(let config):
            // Keras 3 on jax: the input spread `strides` apart, padded by `before`
            // rows and columns, correlated with the kernel flipped in space and
            // read (kh, kw, filters, cin) (lax.conv_transpose, transpose_kernel).
            let (h, w, c) = (input[0], input[1], input[2])
            let (oh, ow, f) = (output[0], output[1], output[2])
            let (kh, kw) = (config.kernelSize.height, config.kernelSize.width)
            let (sy, sx, dy, dx) = (config.strides.height, config.strides.width, config.dilationRate.height, config.dilationRate.width)
            let top = Self.jaxPaddingBefore(kernel: kh, stride: sy, dilation: dy, config.padding, outputPadding: config.outputPadding?.height)
            let left = Self.jaxPaddingBefore(kernel: kw, stride: sx, dilation: dx, config.padding, outputPadding: config.outputPadding?.width)
            let kernel = tensor(layer, "kernel")!, bias = tensor(layer, "bias")
            var y = [Double](repeating: 0, count: oh * ow * f)
            for oy in 0..<oh { for ox in 0..<ow { for fo in 0..<f {
                var sum = bias?[fo] ?? 0
                for ky in 0..<kh { for kx in 0..<kw {
                    let py = oy + ky * dy - top, px = ox + kx * dx - left
                    guard py >= 0, px >= 0, py % sy == 0, px % sx == 0, py / sy < h, px / sx < w else { continue }
                    let tap = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * f * c + fo * c
                    for ci in 0..<c { sum += x[((py / sy) * w + px / sx) * c + ci] * kernel[tap + ci] }
                } }
                y[(oy * ow + ox) * f + fo] = sum
            } } }
            return activate(y, config.activation, channels: f)
        case .dense(let config):
            let inputs = input.last!, positions = x.count / inputs
            let kernel = tensor(layer, "kernel")!, bias = tensor(layer, "bias")
            var y = [Double](repeating: 0, count: positions * config.units)
            for position in 0..<positions {
                let out = position * config.units
                for unit in 0..<config.units { y[out + unit] = bias?[unit] ?? 0 }
                for i in 0..<inputs {
                    let value = x[position * inputs + i], row = i * config.units
                    for unit in 0..<config.units { y[out + unit] += value * kernel[row + unit] }
                }
            }
            return activate(y, config.activation, channels: config.units)
        case .maxPooling2D(let config), .averagePooling2D(let config):
            let isMax = if case .maxPooling2D = layer.operation { true } else { false }
            let (h, w, c) = (input[0], input[1], input[2])
            let (oh, ow) = (output[0], output[1])
            let pad = layer.padding ?? .zero
            var y = [Double](repeating: 0, count: oh * ow * c)
            for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
                var best = -Double.infinity, sum = 0.0, cells = 0
                for ky in 0..<config.poolSize.height { for kx in 0..<config.poolSize.width {
                    let iy = oy * config.strides.height + ky - pad.top, ix = ox * config.strides.width + kx - pad.left
                    // TensorFlow's `same` pooling: padded cells take no part.
                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                    let v = x[(iy * w + ix) * c + ch]
                    best = max(best, v); sum += v; cells += 1
                } }
                y[(oy * ow + ox) * c + ch] = isMax ? best : sum / Double(cells)
            } } }
            return y
        case .globalAveragePooling2D, .globalMaxPooling2D:
            let isMax = if case .globalMaxPooling2D = layer.operation { true } else { false }
            let c = input[2], positions = input[0] * input[1]
            return (0..<c).map { ch in
                let values = (0..<positions).map { x[$0 * c + ch] }
                return isMax ? values.max()! : values.reduce(0, +) / Double(positions)
            }
        // The reference runs chains, where a merge reads one tensor: itself.
        case .flatten, .reshape, .dropout, .identityAtInference, .merge, .concatenate:
            return x
        case .cropping2D(let crop):
            let (w, c) = (input[1], input[2])
            let (oh, ow) = (output[0], output[1])
            var y = [Double](repeating: 0, count: oh * ow * c)
            for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
                y[(oy * ow + ox) * c + ch] = x[((oy + crop.top) * w + ox + crop.left) * c + ch]
            } } }
            return y
        case .upSampling2D(let config):
            let (w, c) = (input[1], input[2])
            let (oh, ow) = (output[0], output[1])
            let rows = Self.resizeWeights(input: input[0], factor: config.size.height, config.interpolation)
            let columns = Self.resizeWeights(input: w, factor: config.size.width, config.interpolation)
            var y = [Double](repeating: 0, count: oh * ow * c)
            for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
                for (iy, wy) in rows[oy] { for (ix, wx) in columns[ox] {
                    y[(oy * ow + ox) * c + ch] += wy * wx * x[(iy * w + ix) * c + ch]
                } }
            } } }
            return y
        case .resizing(let config):
            // jax.image.resize after Keras's crop or pad to the aspect ratio, written out in Double.
            let (h, w, c) = (input[0], input[1], input[2])
            var (canvasHeight, canvasWidth, top, left) = (h, w, 0, 0)
            if config.centerCrop, h >= config.height, w >= config.width {
                (canvasHeight, canvasWidth, top, left) = (config.height, config.width, (h - config.height) / 2, (w - config.width) / 2)
            } else if config.cropToAspectRatio {
                canvasHeight = max(min(h, w * config.height / config.width), 1)
                canvasWidth = max(min(w, h * config.width / config.height), 1)
                (top, left) = ((h - canvasHeight) / 2, (w - canvasWidth) / 2)
            } else if config.padToAspectRatio {
                // One axis padded, by half the shortfall at each end.
                let (padTop, padLeft) = ((max(h, w * config.height / config.width) - h) / 2, (max(w, h * config.width / config.height) - w) / 2)
                if padTop > 0 { (canvasHeight, top) = (h + 2 * padTop, -padTop) } else if padLeft > 0 { (canvasWidth, left) = (w + 2 * padLeft, -padLeft) }
            }
            func weights(_ size: Int, _ target: Int) -> [[(Int, Double)]] {
                (0..<target).map { i in
                    let position = (Double(i) + 0.5) * Double(size) / Double(target)
                    if !config.bilinear { return [(min(Int(position.rounded(.down)), size - 1), 1)] }
                    if size == target { return [(i, 1)] }
                    let sample = position - 0.5
                    guard sample >= -0.5, sample <= Double(size) - 0.5 else { return [] }
                    let scale = config.antialias ? max(Double(size) / Double(target), 1) : 1
                    let raw = (0..<size).map { j in (j, max(0, 1 - abs(sample - Double(j)) / scale)) }.filter { $0.1 > 0 }
                    let total = raw.reduce(0) { $0 + $1.1 }
                    return raw.map { ($0.0, $0.1 / total) }
                }
            }
            let rows = weights(canvasHeight, config.height), columns = weights(canvasWidth, config.width)
            var y = [Double](repeating: 0, count: config.height * config.width * c)
            for oy in 0..<config.height { for ox in 0..<config.width { for ch in 0..<c {
                for (iy, wy) in rows[oy] { for (ix, wx) in columns[ox] {
                    let (row, column) = (iy + top, ix + left)
                    let value = (0..<h).contains(row) && (0..<w).contains(column) ? x[(row * w + column) * c + ch] : Double(Float(config.fillValue))
                    y[(oy * config.width + ox) * c + ch] += wy * wx * value
                } }
            } } }
            return y
        case .rescaling(let config):
            // Keras: x·scale + offset, a list of one value per channel broadcast over the last axis.
            let c = input.last!
            return x.enumerated().map { index, v in
                v * config.scale[config.scale.count == 1 ? 0 : index % c] + config.offset[config.offset.count == 1 ? 0 : index % c]
            }
        case .normalization(let config):
            // Keras: (x − mean) / max(sqrt(variance), ε); inverted, mean + x·max(sqrt(variance), ε).
            let c = input.last!
            let mean = config.constants?.mean ?? tensor(layer, "mean")!
            let variance = config.constants?.variance ?? tensor(layer, "variance")!
            return x.enumerated().map { index, v in
                let ch = mean.count == 1 ? 0 : index % c
                let divisor = max(variance[ch].squareRoot(), NormalizationConfig.epsilon)
                return config.invert ? mean[ch] + v * divisor : (v - mean[ch]) / divisor
            }
        case .zeroPadding2D(let pad):
            let (h, w, c) = (input[0], input[1], input[2])
            let (oh, ow) = (output[0], output[1])
            var y = [Double](repeating: 0, count: oh * ow * c)
            for iy in 0..<h { for ix in 0..<w { for ch in 0..<c {
                y[((iy + pad.top) * ow + ix + pad.left) * c + ch] = x[(iy * w + ix) * c + ch]
            } } }
            return y
        case .oneDimensional(let operation):
            return sequence(operation, layer, x)
        case .permute(let config):
            // Output value at coordinates (o0, o1, …) is the input's at coordinate o_i
            // along axis dims[i] − 1 (Keras counts axes from 1 after the batch).
            return (0..<x.count).map { flat in
                var rest = flat
                var coordinates = [Int](repeating: 0, count: output.count)
                for axis in output.indices.reversed() { coordinates[axis] = rest % output[axis]; rest /= output[axis] }
                var source = [Int](repeating: 0, count: input.count)
                for (axis, dim) in config.dims.enumerated() { source[dim - 1] = coordinates[axis] }
                return x[source.indices.reduce(0) { $0 * input[$1] + source[$1] }]
            }
        case .repeatVector(let config):
            return (0..<config.n).flatMap { _ in x }
        case .activation(let activation):
            return activate(x, activation, channels: input.last!)
        case .softmax:
            return activate(x, .softmax, channels: input.last!)
        case .elu(let alpha):
            return x.map { $0 > 0 ? $0 : alpha * expm1($0) }
        case .relu(let config):
            // Keras: x > threshold ? clip(x, 0, max_value) : negative_slope · (x − threshold).
            return x.map { v in
                if v > config.threshold { return config.maxValue.map { min(max(v, 0), $0) } ?? v }
                return config.negativeSlope * (v - config.threshold)
            }
        case .layerNormalization(let config):
            // Keras: at each position, over its channels, (x − mean)/sqrt(variance + ε)·gamma + beta,
            // the variance biased (divided by the channel count).
            let c = input.last!
            let gamma = tensor(layer, "gamma"), beta = tensor(layer, "beta")
            var y = x
            for start in stride(from: 0, to: x.count, by: c) {
                let values = x[start..<(start + c)]
                let mean = values.reduce(0, +) / Double(c)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
                for ch in 0..<c {
                    y[start + ch] = (x[start + ch] - mean) / (variance + config.epsilon).squareRoot() * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0)
                }
            }
            return y
        case .layerScale(let config):
            // Keras: x * gamma, one factor a channel.
            let gamma = tensor(layer, "gamma")!
            return x.enumerated().map { index, v in v * gamma[index % config.projectionDim] }
        case .prelu(let config):
            // Keras: relu(x) − alpha·relu(−x), alpha of the input's shape with size 1 along
            // shared_axes (1 the first axis after the batch), so all values along them share one.
            let alpha = tensor(layer, "alpha")!
            let shape = input, alphaShape = input.indices.map { config.sharedAxes.contains($0 + 1) ? 1 : input[$0] }
            return x.enumerated().map { index, v in
                var rest = index, cell = 0, cellStride = 1
                for axis in shape.indices.reversed() {
                    let coordinate = rest % shape[axis]
                    rest /= shape[axis]
                    cell += (alphaShape[axis] == 1 ? 0 : coordinate) * cellStride
                    cellStride *= alphaShape[axis]
                }
                return max(v, 0) - alpha[cell] * max(-v, 0)
            }
        case .batchNormalization(let config):
            let c = input.last!
            let gamma = tensor(layer, "gamma"), beta = tensor(layer, "beta")
            let mean = tensor(layer, "moving_mean")!, variance = tensor(layer, "moving_variance")!
            return x.enumerated().map { index, v in
                let ch = index % c
                return (gamma?[ch] ?? 1) * (v - mean[ch]) / (variance[ch] + config.epsilon).squareRoot() + (beta?[ch] ?? 0)
            }
        }
    }

    /// The 1D layers over (steps, channels), written out along the steps (not
    /// through their 2D counterparts, which is how cnnc compiles them).
    private func sequence(_ operation: OneDimensionalOperation, _ layer: CheckedLayer, _ x: [Double]) -> [Double] {
        let (steps, c) = (layer.inputShape.dimensions[0], layer.inputShape.dimensions[1])
        let outSteps = layer.outputShape.rank == 2 ? layer.outputShape.dimensions[0] : 1
        // Steps of zeros before the sequence: 'same', 'causal' or ZeroPadding1D's.
        let before = layer.padding?.left ?? 0
        switch operation {
        case .conv1D(let config):
            let kernel = tensor(layer, "kernel")!, bias = tensor(layer, "bias")
            let f = config.filters
            var y = [Double](repeating: 0, count: outSteps * f)
            for t in 0..<outSteps { for co in 0..<f {
                var sum = bias?[co] ?? 0
                for k in 0..<config.kernelSize {
                    let i = t * config.strides + k * config.dilationRate - before
                    guard i >= 0, i < steps else { continue }
                    for ci in 0..<c { sum += x[i * c + ci] * kernel[(k * c + ci) * f + co] }
                }
                y[t * f + co] = sum
            } }
            return activate(y, config.activation, channels: f)
        case .maxPooling1D(let config), .averagePooling1D(let config):
            let isMax = if case .maxPooling1D = operation { true } else { false }
            var y = [Double](repeating: 0, count: outSteps * c)
            for t in 0..<outSteps { for ch in 0..<c {
                // 'same' pooling: the padded steps take no part.
                let window = (0..<config.poolSize).map { t * config.strides + $0 - before }.filter { $0 >= 0 && $0 < steps }
                let values = window.map { x[$0 * c + ch] }
                y[t * c + ch] = isMax ? values.max()! : values.reduce(0, +) / Double(values.count)
            } }
            return y
        case .globalAveragePooling1D, .globalMaxPooling1D:
            let isMax = if case .globalMaxPooling1D = operation { true } else { false }
            return (0..<c).map { ch in
                let values = (0..<steps).map { x[$0 * c + ch] }
                return isMax ? values.max()! : values.reduce(0, +) / Double(steps)
            }
        case .zeroPadding1D:
            return [Double](repeating: 0, count: before * c) + x + [Double](repeating: 0, count: (outSteps - steps - before) * c)
        case .cropping1D(let cropping):
            return Array(x[(cropping.left * c)..<((cropping.left + outSteps) * c)])
        case .upSampling1D(let size):
            // Keras's ops.repeat along the steps: output step t is input step t / size.
            return (0..<(outSteps * c)).map { x[($0 / c / size) * c + $0 % c] }
        }
    }

    /// Which input indices, with which weights, make each output index of one
    /// axis enlarged `factor` times. Nearest: o / factor. Bilinear, as
    /// `jax.image.scale_and_translate` computes it: the triangle kernel
    /// max(0, 1 − |p − i|) at p = (o + 0.5)/factor − 0.5 over the input
    /// indices i, divided by its sum over them (which moves an outside
    /// neighbour's weight to the edge).
    static func resizeWeights(input: Int, factor: Int, _ interpolation: UpSampling2DConfig.Interpolation) -> [[(Int, Double)]] {
        (0..<(input * factor)).map { o in
            switch interpolation {
            case .nearest:
                return [(o / factor, 1)]
            case .bilinear:
                let p = (Double(o) + 0.5) / Double(factor) - 0.5
                let weights = (0..<input).map { ($0, max(0, 1 - abs(p - Double($0)))) }.filter { $0.1 > 0 }
                let total = weights.reduce(0) { $0 + $1.1 }
                return weights.map { ($0.0, $0.1 / total) }
            }
        }
    }

    /// The rows (columns) Keras 3 pads before the stride-spread input of a
    /// Conv2DTranspose on jax (`_convert_conv_transpose_padding_args_from_keras_to_jax`).
    static func jaxPaddingBefore(kernel k: Int, stride s: Int, dilation d: Int, _ padding: PaddingMode, outputPadding: Int?) -> Int {
        let span = (k - 1) * d + 1
        guard padding == .same else { return span - 1 }
        let total = outputPadding.map { span + span % 2 - 2 + $0 } ?? (s + span - 2)
        return min(total / 2 + total % 2, span - 1)
    }

    /// Keras 3's relu6(x + 3)/6.
    static func hardSigmoid(_ x: Double) -> Double { min(max(x + 3, 0), 6) / 6 }

    /// log(1 + e^x) without overflow.
    static func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }

    private func activate(_ x: [Double], _ activation: Activation, channels: Int) -> [Double] {
        switch activation {
        case .linear: return x
        case .relu: return x.map { max($0, 0) }
        case .sigmoid: return x.map { 1 / (1 + exp(-$0)) }
        case .tanh: return x.map { tanh($0) }
        case .silu: return x.map { $0 / (1 + exp(-$0)) }
        case .hardSigmoid: return x.map(Self.hardSigmoid)
        case .hardSilu: return x.map { $0 * Self.hardSigmoid($0) }
        case .relu6: return x.map { min(max($0, 0), 6) }
        case .gelu: return x.map { 0.5 * $0 * erfc(-$0 / 2.0.squareRoot()) }
        case .elu: return x.map { $0 > 0 ? $0 : expm1($0) }
        case .selu: return x.map { Activation.seluScale * ($0 > 0 ? $0 : Activation.seluAlpha * expm1($0)) }
        case .softplus: return x.map(Self.softplus)
        case .softsign: return x.map { $0 / (abs($0) + 1) }
        case .leakyReLU: return x.map { $0 >= 0 ? $0 : Activation.leakyReLUSlope * $0 }
        case .mish: return x.map { $0 * tanh(Self.softplus($0)) }
        case .exponential: return x.map { exp($0) }
        case .softmax:
            var y = x
            for start in stride(from: 0, to: x.count, by: channels) {
                let row = x[start..<(start + channels)]
                let largest = row.max()!
                let exps = row.map { exp($0 - largest) }
                let sum = exps.reduce(0, +)
                for (offset, e) in exps.enumerated() { y[start + offset] = e / sum }
            }
            return y
        case .logSoftmax:
            // x − log Σ e^x per position, the sum taken around the largest so it stays finite.
            var y = x
            for start in stride(from: 0, to: x.count, by: channels) {
                let row = x[start..<(start + channels)]
                let largest = row.max()!
                let logSum = largest + log(row.map { exp($0 - largest) }.reduce(0, +))
                for offset in 0..<channels { y[start + offset] = x[start + offset] - logSum }
            }
            return y
        }
    }
}
