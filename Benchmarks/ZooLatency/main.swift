import CNNCRuntime
import CNNCZoo
import Foundation

// Times every zoo model on this machine: single-thread batch-1 latency and
// batch-32 throughput (medians over repeated runs), with the GFLOP/s they
// imply. Run in release: swift run -c release zoo-latency [seconds-per-case]

let secondsPerCase = CommandLine.arguments.dropFirst().first.flatMap(Double.init) ?? 1.0

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Runs `body` repeatedly for about `seconds` after a warm-up; returns the median seconds per call.
func time(seconds: Double, _ body: () -> Void) -> Double {
    for _ in 0..<3 { body() }
    var samples: [Double] = []
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    } while Date() < deadline || samples.count < 5
    return median(samples)
}

func measure<Model: CompiledModel>(_ type: Model.Type, spec: String) {
    let model = Model(seed: 1)
    var generator = SplitMix64(seed: 2)
    let batch = 32
    let input = (0..<(Model.inputCount * batch)).map { _ in Float(generator.nextUnit()) }
    var output = [Float](repeating: 0, count: Model.outputCount * batch)
    let arena = ModelArena(count: Model.arenaCount)
    let flops = Double(Model.flops)
    let latency = input.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
            time(seconds: secondsPerCase) { model.predict(source.baseAddress!, into: target.baseAddress!, arena: arena.pointer) }
        }
    }
    let batchTime = input.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
            time(seconds: secondsPerCase) { try? model.predict(batch: source, count: batch, into: target, threads: 1) }
        }
    }
    let throughput = Double(batch) / batchTime
    let name = spec.split(separator: "/").last!
    let columns = [
        name.padding(toLength: 26, withPad: " ", startingAt: 0),
        String(format: "%11.1f µs", latency * 1e6),
        String(format: "%8.2f GFLOP/s", flops / latency / 1e9),
        String(format: "%12.0f img/s", throughput),
        String(format: "%8.2f GFLOP/s", flops * throughput / 1e9),
    ]
    print(columns.joined(separator: "  "))
}

print("model                       batch-1 latency (1 thread)      batch-32 throughput (1 thread)")
for entry in CNNCZoo.models {
    func open<M: CompiledModel>(_ type: M.Type) { measure(type, spec: entry.spec) }
    open(entry.type)
}
