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
        // The observer's own cost, measured and taken off every row, is said in the header.
        #expect(timings.observerSeconds > 0 && timings.observerSeconds < 1e-5)
        #expect(timings.text.split(separator: "\n").first?.contains("less the observer's own") == true)
        #expect(timings.rows.reduce(0) { $0 + $1.seconds } > 0)
        #expect(timings.rows[2].flops == 480_000 && timings.rows[1].flops == 0)
        let lines = timings.text.split(separator: "\n")
        #expect(lines.count == 2 + Lenet5.layers.count + 1)
        // A convolution's row ends with its GFLOP/s; a pooling's with "-".
        #expect(lines[4].hasPrefix("conv2d_1 (Conv2D)") && Double(lines[4].split(separator: " ").last ?? "") != nil)
        #expect(lines[3].hasPrefix("average_pooling2d (AveragePooling2D)") && lines[3].hasSuffix("-"))
    }

    /// With each layer's bytes, a row also gives its GB/s and its share of
    /// the copy rate measured in the same run; Flatten, which moves nothing,
    /// has neither.
    @Test func layersWithBytesGetTheirShareOfTheCopyRate() throws {
        var options = BenchmarkOptions()
        options.seconds = 0.05
        options.layerBytes = [22_576, 23_520, 20_768, 8_000, nil, 194_560, 41_472, 3_776]
        let timings = try LayerTimings.measure(Lenet5.self, options: options)
        let copy = try #require(timings.copy)
        #expect(copy.withinCache > 0 && copy.fromMemory > 0 && copy.cacheBytes >= 64 << 10)
        #expect(copy.rate(forLayerBytes: copy.cacheBytes) == copy.withinCache && copy.rate(forLayerBytes: copy.cacheBytes + 1) == copy.fromMemory)
        #expect(timings.rows[1].bytes == 23_520 && timings.rows[4].bytes == nil)
        let lines = timings.text.split(separator: "\n")
        #expect(lines.count == 3 + Lenet5.layers.count + 1)
        #expect(lines[1].hasPrefix("This core copies") && lines[2].hasSuffix("GB/s   of copy"))
        // The pooling's row ends with its GB/s and a percentage; Flatten's with two dashes.
        let pooling = lines[4].split(separator: " ")
        #expect(lines[4].hasPrefix("average_pooling2d (AveragePooling2D)") && pooling.last?.hasSuffix("%") == true)
        #expect(Double(pooling[pooling.count - 2]) != nil)
        #expect(lines[7].hasPrefix("flatten (Flatten)") && lines[7].hasSuffix("-         -"))
    }

    /// The L2 size comes from `/sys` text, read and bounded; anything else
    /// leaves the default of 512 KB to `measure`.
    @Test func cacheSizesAreParsedAndBounded() {
        #expect(CopyRate.bytes(ofCacheSize: "1024K") == 1 << 20)
        #expect(CopyRate.bytes(ofCacheSize: "2M") == 2 << 20)
        #expect(CopyRate.bytes(ofCacheSize: "524288") == 512 << 10)
        for bad in ["", "K", "abcK", "0K", "-512K", "1048576K", "99999999999999999999M", "1.5M", "512 K"] {
            #expect(CopyRate.bytes(ofCacheSize: bad) == nil, "\(bad)")
        }
    }

    /// FLOPs or bytes for another model's layers are not trusted: no rates at all.
    @Test func flopsOfTheWrongLengthAreLeftOut() throws {
        var options = BenchmarkOptions()
        options.seconds = 0.01
        options.layerFLOPs = [1, 2, 3]
        options.layerBytes = [1, 2]
        let timings = try LayerTimings.measure(Lenet5.self, options: options)
        #expect(timings.rows.allSatisfy { $0.flops == nil && $0.bytes == nil } && timings.copy == nil)
    }
}
