import Dispatch

/// Splits a batch into contiguous runs of samples, one per thread.
package enum BatchSplitter {
    static func run(count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        run(count: count, threads: threads) { _, range in body(range) }
    }

    /// The same, telling each run which worker (0..<workers) it is, so it can
    /// use that worker's own buffers.
    static func run(count: Int, threads: Int, _ body: @Sendable (_ worker: Int, Range<Int>) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            body(0, 0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            body(worker, share(count, worker: worker, of: workers))
        }
    }

    /// Worker `worker`'s contiguous run of 0..<count when `workers` share it,
    /// the same split everywhere (Dispatch, `WorkerPool`, training), so that
    /// results depend only on the number of workers.
    package static func share(_ count: Int, worker: Int, of workers: Int) -> Range<Int> {
        (count * worker / workers)..<(count * (worker + 1) / workers)
    }
}
