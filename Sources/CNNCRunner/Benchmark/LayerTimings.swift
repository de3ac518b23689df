import CNNCRuntime
import Foundation

/// `cnnc bench --per-layer`: where one sample's forward pass spends its time,
/// layer by layer, and how close each layer comes to the machine's peak.
///
/// It runs the one-sample path that `cnnc verify` observes (each layer's
/// output handed to an observer), timing the gap between two observations:
/// that is the layer's kernel plus the observer's own clock read and
/// bookkeeping. The observer's share is measured in the same run (the gap
/// between observations with nothing between them, `observerSeconds`) and
/// taken off every layer: it was 40 ns on a Zen 4, a tenth of a small
/// layer's time. A layer that computes in place of another (Flatten) shows
/// about 0. The batched and block paths are not split per layer; their total
/// is the report's median. The observed path runs every layer on its own,
/// where `predict` runs a BatchNormalization or ReLU in the store of the
/// convolution before it (`EpilogueFusion`): such layers show their own
/// pass here, and the total is above the report's median.
///
/// With the bytes each layer must move (`BenchmarkOptions.layerBytes`) it also
/// gives each layer's GB/s, and that as a share of this core's copy rate
/// (`CopyRate`, measured in the same run) from the level of memory the
/// layer's bytes fit in.
public struct LayerTimings: Sendable {
    public struct Row: Sendable {
        public var layer: LayerDescription
        /// Mean seconds per sample.
        public var seconds: Double
        /// FLOPs per sample (2 × multiply-adds), when cnnc passed them.
        public var flops: Int?
        /// Bytes read and written per sample, when cnnc passed them.
        public var bytes: Int?
    }

    public var rows: [Row]
    public var passes: Int
    /// What one observation costs (its clock read and bookkeeping), in
    /// seconds: already taken off every row.
    public var observerSeconds: Double
    /// This core's copy rate, measured when the rows have bytes.
    public var copy: CopyRate?

    /// Times forward passes of one sample for `options.seconds` (at least five).
    public static func measure<Model: CompiledModel>(_ type: Model.Type, options: BenchmarkOptions) throws(RuntimeError) -> LayerTimings {
        let model = try options.weights.map { path throws(RuntimeError) in try Model(contentsOf: path) } ?? Model(seed: options.seed)
        var generator = SplitMix64(seed: options.seed &+ 1)
        let input = (0..<Model.inputCount).map { _ in Float(generator.nextUnit()) }
        var output = [Float](repeating: 0, count: Model.outputCount)
        let arena = ModelArena(count: Model.arenaCount)
        // One slot per layer, and a last one for the observer's own gaps.
        let observerSlot = Model.layers.count
        var totals = [UInt64](repeating: 0, count: observerSlot + 1)
        var passes = 0
        var last: UInt64 = 0
        var cheapestRound = UInt64.max
        let observe = { (index: Int, _: UnsafePointer<Float>) in
            let now = DispatchTime.now().uptimeNanoseconds
            if index >= 0 && index < totals.count { totals[index] &+= now &- last }
            last = now
        }
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                let (x, y) = (source.baseAddress!, target.baseAddress!)
                let body = { () in
                    last = DispatchTime.now().uptimeNanoseconds
                    model.predict(x, into: y, arena: arena.pointer, observingLayers: observe)
                }
                // Warm-up (caches, page faults), then the timed passes.
                for _ in 0..<2 { body() }
                totals = [UInt64](repeating: 0, count: observerSlot + 1)
                let start = BenchmarkRunner.now()
                repeat {
                    body()
                    passes += 1
                } while passes < BenchmarkRunner.minimumSamples || BenchmarkRunner.now() - start < options.seconds
                // Observations with nothing between them: each gap is the observer alone. In
                // rounds, of which the cheapest counts: a round an interrupt or the VM's host
                // lengthened would take more off every layer than the observer costs.
                for _ in 0..<observerCalibrationRounds {
                    totals[observerSlot] = 0
                    last = DispatchTime.now().uptimeNanoseconds
                    for _ in 0..<observerCalibrationCalls { observe(observerSlot, y) }
                    cheapestRound = Swift.min(cheapestRound, totals[observerSlot])
                }
            }
        }
        let observerSeconds = Double(cheapestRound) / 1e9 / Double(observerCalibrationCalls)
        let flops = options.layerFLOPs.flatMap { $0.count == Model.layers.count ? $0 : nil }
        let bytes = options.layerBytes.flatMap { $0.count == Model.layers.count ? $0 : nil }
        let rows = Model.layers.indices.map { index in
            Row(layer: Model.layers[index], seconds: Swift.max(0, Double(totals[index]) / 1e9 / Double(passes) - observerSeconds),
                flops: flops?[index], bytes: bytes?[index] ?? nil)
        }
        let copy = bytes == nil ? nil : CopyRate.measure(seconds: min(options.seconds, 1))
        return LayerTimings(rows: rows, passes: passes, observerSeconds: observerSeconds, copy: copy)
    }

    /// Back-to-back observations timed to learn the observer's cost, in
    /// rounds of `observerCalibrationCalls`: a millisecond or so in all.
    static let observerCalibrationRounds = 200
    static let observerCalibrationCalls = 100

    /// One line per layer: time per sample, its share, GFLOP/s where the
    /// layer computes products, and GB/s with its share of the copy rate
    /// where cnnc passed its bytes.
    public var text: String {
        let total = rows.reduce(0) { $0 + $1.seconds }
        let width = max(14, rows.map { $0.layer.name.count + $0.layer.className.count + 3 }.max() ?? 0)
        var lines = ["Per layer, one sample (\(passes) forward passes), each on its own as `cnnc verify` sees it (predict fuses some), "
                     + "less the observer's own \(BenchmarkReport.duration(observerSeconds)) a layer:"]
        if let copy {
            lines.append(String(format: "This core copies %.1f GB/s within its %@ L2 cache and %.1f GB/s from memory (bytes read + written); "
                                + "`of copy` holds a layer against the first when its bytes fit in L2, else the second.",
                                copy.withinCache / 1e9, Self.size(copy.cacheBytes), copy.fromMemory / 1e9))
        }
        lines.append("Layer (type)".padding(toLength: width, withPad: " ", startingAt: 0) + "      per image    share    GFLOP/s"
                     + (copy == nil ? "" : "       GB/s   of copy"))
        for row in rows {
            let name = "\(row.layer.name) (\(row.layer.className))".padding(toLength: width, withPad: " ", startingAt: 0)
            let share = total > 0 ? String(format: "%.1f%%", 100 * row.seconds / total) : "-"
            let rate = row.flops.flatMap { flops in flops > 0 && row.seconds > 0 ? String(format: "%.2f", Double(flops) / row.seconds / 1e9) : nil } ?? "-"
            var line = name + BenchmarkReport.duration(row.seconds).leftPadded(to: 15) + share.leftPadded(to: 9) + rate.leftPadded(to: 11)
            if let copy {
                if let bytes = row.bytes, row.seconds > 0 {
                    let perSecond = Double(bytes) / row.seconds
                    line += String(format: "%.1f", perSecond / 1e9).leftPadded(to: 11)
                    line += String(format: "%.0f%%", 100 * perSecond / copy.rate(forLayerBytes: bytes)).leftPadded(to: 10)
                } else {
                    line += "-".leftPadded(to: 11) + "-".leftPadded(to: 10)
                }
            }
            lines.append(line)
        }
        lines.append("total".padding(toLength: width, withPad: " ", startingAt: 0) + BenchmarkReport.duration(total).leftPadded(to: 15))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `1 MB`, `512 KB`.
    private static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes >> 10) KB"
    }
}
