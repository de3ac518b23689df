import CNNCRunner
import CNNCRuntime
import CNNCZoo
import Foundation
import Testing

/// `cnnc bench --per-layer`'s measurement, in process on LeNet-5: a row per
/// layer of the generated model, in its order, each with the time between
/// its observation and the one before, and GFLOP/s where cnnc gave FLOPs.
/// What it asserts is the shape of the answer, not a speed.
@Suite struct LayerTimingsTests {
    @Test func everyLayerGetsARowAndTheConvolutionsARate() throws {
        var options = BenchmarkOptions()
        options.seconds = 0.05
        // LeNet-5's per-layer FLOPs as cnnc's checker counts them (2 × multiply-adds).
        options.layerFLOPs = [235_200, 0, 480_000, 0, 0, 96_000, 20_160, 1_680]
        let timings = try LayerTimings.measure(Lenet5.self, options: options)
        #expect(timings.rows.map(\.layer.name) == Lenet5.layers.map(\.name))
        #expect(timings.passes >= 5 && timings.rows.allSatisfy { $0.seconds >= 0 })
        #expect(timings.rows.reduce(0) { $0 + $1.seconds } > 0)
        #expect(timings.rows[2].flops == 480_000 && timings.rows[1].flops == 0)
        let lines = timings.text.split(separator: "\n")
        #expect(lines.count == 2 + Lenet5.layers.count + 1)
        // A convolution's row ends with its GFLOP/s; a pooling's with "-".
        #expect(lines[4].hasPrefix("conv2d_1 (Conv2D)") && Double(lines[4].split(separator: " ").last ?? "") != nil)
        #expect(lines[3].hasPrefix("average_pooling2d (AveragePooling2D)") && lines[3].hasSuffix("-"))
    }

    /// FLOPs for another model's layers are not trusted: no rates at all.
    @Test func flopsOfTheWrongLengthAreLeftOut() throws {
        var options = BenchmarkOptions()
        options.seconds = 0.01
        options.layerFLOPs = [1, 2, 3]
        #expect(try LayerTimings.measure(Lenet5.self, options: options).rows.allSatisfy { $0.flops == nil })
    }
}
