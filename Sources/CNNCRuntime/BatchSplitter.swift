import Dispatch

/// Splits a batch into contiguous runs of samples, one per thread.
enum BatchSplitter {
    static func run(count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = count * worker / workers, end = count * (worker + 1) / workers
            body(start..<end)
        }
    }
}
