/// Rearranges Keras-layout parameters into the layout generated kernels read:
/// output channels padded to a whole number of SIMD vectors, so every
/// weight load is a full vector, and BatchNormalization folded into one
/// scale and one shift per channel.
public enum WeightPacking {
    /// A Conv2D kernel (kh, kw, cin, cout) or Dense kernel (in, out) as
    /// `rows` rows of `outputs` values, each row copied to `paddedOutputs` values (zeros after):
    /// the row stride, which may end with a cache line never read (`WeightPlan.rowPadding`).
    public static func kernel(_ parameters: [Float], from offset: Int, rows: Int, outputs: Int, paddedOutputs: Int,
                              into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        for row in 0..<rows {
            for column in 0..<outputs {
                packed[target + row * paddedOutputs + column] = parameters[offset + row * outputs + column]
            }
        }
    }

    /// The same rows in panels of `width` output channels, each panel's rows
    /// one after another (the order a flat output's kernel reads them). Lanes
    /// past the last output channel are not written: they stay the zeros the
    /// packed buffer starts as. Row by row, so the parameters are read in
    /// order: training repacks after every step.
    public static func panels(_ parameters: [Float], from offset: Int, rows: Int, outputs: Int, width: Int,
                              into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        let panels = (outputs + width - 1) / width
        for row in 0..<rows {
            for panel in 0..<panels {
                let first = panel * width
                for lane in 0..<min(width, outputs - first) {
                    packed[target + (panel * rows + row) * width + lane] = parameters[offset + row * outputs + first + lane]
                }
            }
        }
    }

    /// A Conv2DTranspose kernel (kh, kw, outputs, inputs) — Keras puts the
    /// output channels first — as kh·kw·inputs rows of `outputs` values, each
    /// tap's matrix transposed, so a kernel reads one row of output-channel
    /// weights per input channel; rows padded to `paddedOutputs` values.
    public static func transposedKernel(_ parameters: [Float], from offset: Int, taps: Int, inputs: Int, outputs: Int,
                                        paddedOutputs: Int, into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        for tap in 0..<taps {
            for input in 0..<inputs {
                for output in 0..<outputs {
                    packed[target + (tap * inputs + input) * paddedOutputs + output] = parameters[offset + (tap * outputs + output) * inputs + input]
                }
            }
        }
    }

    /// A one-input-channel kernel (kh, kw, 1, outputs) and its bias for a
    /// kernel whose vectors hold consecutive outputs of a row, pixels and
    /// their filters interleaved: a vector starting at filter `phase` needs,
    /// in lane j, filter (phase + j) % outputs. For each tap, one such pattern
    /// of `stride` lanes per phase; then the bias's patterns (zeros without one).
    public static func phasedLanes(_ parameters: [Float], kernelFrom offset: Int, biasFrom biasOffset: Int?, taps: Int, outputs: Int,
                                   stride: Int, into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        for phase in 0..<outputs {
            for lane in 0..<stride {
                let filter = (phase + lane) % outputs
                for tap in 0..<taps {
                    packed[target + (tap * outputs + phase) * stride + lane] = parameters[offset + tap * outputs + filter]
                }
                packed[target + (taps * outputs + phase) * stride + lane] = biasOffset.map { parameters[$0 + filter] } ?? 0
            }
        }
    }

    /// A kernel (kh, kw, cin, outputs), as `inputs` = kh·kw·cin rows, for a
    /// kernel whose vectors hold a chunk of `chunk` consecutive input
    /// channels of each of `slots` filters: row r of filter f goes to lane
    /// f·chunk + r % chunk of chunk r / chunk (cin a whole number of chunks,
    /// so no chunk spans two taps). Slots past the last filter are not
    /// written: they stay the zeros the packed buffer starts as.
    public static func chunkLanes(_ parameters: [Float], from offset: Int, inputs: Int, outputs: Int, slots: Int, chunk: Int,
                                  into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        for input in 0..<inputs {
            for output in 0..<outputs {
                packed[target + input / chunk * (slots * chunk) + output * chunk + input % chunk] = parameters[offset + input * outputs + output]
            }
        }
    }

    /// A kernel of `inputs` rows (a whole number of vectors of `lanes` input
    /// channels) for `ChunkLaneConvolutionEmitter`'s turned chunks: for each
    /// vector of rows and each turn t of `slots`, one vector whose lane
    /// g·slots + s holds row g·slots + (s XOR t)'s weight for filter s (zero
    /// past the filters), the weight the turned input meets there.
    public static func turnedChunkLanes(_ parameters: [Float], from offset: Int, inputs: Int, outputs: Int, slots: Int, lanes: Int,
                                         into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        for input in 0..<inputs {
            let (vector, lane) = input.quotientAndRemainder(dividingBy: lanes)
            let (group, place) = lane.quotientAndRemainder(dividingBy: slots)
            for turn in 0..<slots {
                let filter = place ^ turn
                guard filter < outputs else { continue }
                packed[target + (vector * slots + turn) * lanes + group * slots + filter] = parameters[offset + input * outputs + filter]
            }
        }
    }

    /// A bias of `count` values, or zeros when the layer has none (offset nil).
    public static func bias(_ parameters: [Float], from offset: Int?, count: Int, into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        guard let offset else { return }
        copy(parameters, from: offset, count: count, into: packed, at: target)
    }

    /// Weights the kernels read as Keras keeps them (LayerNormalization's gamma
    /// and beta, PReLU's alpha), copied beside the packed kernels.
    public static func copy(_ parameters: [Float], from offset: Int, count: Int, into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        for index in 0..<count { packed[target + index] = parameters[offset + index] }
    }

    /// BatchNormalization in inference: y = gamma·(x − mean)/sqrt(variance + ε) + beta
    /// = x·scale + shift. Absent gamma is 1 and absent beta 0 (`scale`/`center` false).
    public static func batchNormalization(_ parameters: [Float], gamma: Int?, beta: Int?, mean: Int, variance: Int,
                                          epsilon: Float, channels: Int, into packed: UnsafeMutableBufferPointer<Float>, scaleAt: Int, shiftAt: Int) {
        for channel in 0..<channels {
            let inverse = 1 / (parameters[variance + channel] + epsilon).squareRoot()
            let scale = (gamma.map { parameters[$0 + channel] } ?? 1) * inverse
            packed[scaleAt + channel] = scale
            packed[shiftAt + channel] = (beta.map { parameters[$0 + channel] } ?? 0) - parameters[mean + channel] * scale
        }
    }

    /// Keras's Normalization: y = (x − mean) / d with d = max(sqrt(variance), 1e-7)
    /// = x·scale + shift; inverted, y = mean + x·d.
    public static func normalization(_ parameters: [Float], mean: Int, variance: Int, invert: Bool,
                                     channels: Int, into packed: UnsafeMutableBufferPointer<Float>, scaleAt: Int, shiftAt: Int) {
        for channel in 0..<channels {
            let divisor = Swift.max(parameters[variance + channel].squareRoot(), 1e-7)
            packed[scaleAt + channel] = invert ? divisor : 1 / divisor
            packed[shiftAt + channel] = invert ? parameters[mean + channel] : -parameters[mean + channel] / divisor
        }
    }
}
