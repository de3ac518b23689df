import Dispatch
import Foundation
import Synchronization

/// Threads kept from one batch to the next that spin for a while after each
/// job before they sleep, as ONNX Runtime's and OpenMP's pools do. Waking a
/// sleeping thread through the kernel took about 45 µs here, 15% of a batch
/// of 32 through LeNet-5 on two cores; a spinning one starts within a
/// microsecond. The caller runs worker 0's share itself.
///
/// Use one from one thread at a time.
public final class WorkerPool {
    public let workers: Int
    private let shared: Shared

    /// How long an idle worker spins before it sleeps.
    public static let spinSeconds = 0.002

    public init(workers: Int) {
        self.workers = max(1, workers)
        let shared = Shared(helpers: self.workers - 1)
        self.shared = shared
        for helper in 0..<(self.workers - 1) {
            let thread = Thread { shared.work(helper: helper) }
            thread.name = "cnnc worker \(helper + 1)"
            thread.start()
        }
    }

    deinit {
        shared.stopping.store(true, ordering: .sequentiallyConsistent)
        shared.generation.add(1, ordering: .sequentiallyConsistent)
        for helper in 0..<(workers - 1) { shared.wake(helper) }
    }

    /// Runs `job(worker)` for every worker in 0..<workers, worker 0 on the
    /// calling thread, and returns when all have finished.
    public func run(_ job: @escaping @Sendable (_ worker: Int) -> Void) {
        guard workers > 1 else { return job(0) }
        shared.job.withLock { $0 = job }
        shared.remaining.store(workers - 1, ordering: .sequentiallyConsistent)
        shared.generation.add(1, ordering: .sequentiallyConsistent)
        for helper in 0..<(workers - 1) { shared.wake(helper) }
        job(0)
        while shared.remaining.load(ordering: .acquiring) > 0 {}
        // No thread keeps the job past its run (`split` relies on it).
        shared.job.withLock { $0 = nil }
    }

    /// Splits parts 0..<count into one contiguous run per worker and runs
    /// `body(worker, run)` for each in parallel, worker 0 on the calling
    /// thread; returns when all have finished. This is how generated code
    /// spreads one layer of one sample across cores: `body` may capture
    /// pointers, because it never outlives the call.
    public func split(_ count: Int, _ body: (_ worker: Int, _ parts: Range<Int>) -> Void) {
        let workers = self.workers
        guard workers > 1, count > 1 else { return body(0, 0..<count) }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendableBox(body)
            run { worker in
                let parts = BatchSplitter.share(count, worker: worker, of: workers)
                if !parts.isEmpty { box.value(worker, parts) }
            }
        }
    }

    /// What the pool and its threads share (the threads must not keep the pool
    /// itself alive, or it would never be released).
    private final class Shared: Sendable {
        let generation = Atomic<Int>(0)
        let remaining = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let job = Mutex<(@Sendable (Int) -> Void)?>(nil)
        let helpers: [Helper]

        /// `asleep` is 1 while the helper sleeps (or is about to), 0 while it runs or spins.
        final class Helper: Sendable {
            let asleep = Atomic<Int>(0)
            let semaphore = DispatchSemaphore(value: 0)
        }

        init(helpers: Int) {
            self.helpers = (0..<helpers).map { _ in Helper() }
        }

        /// Called after `generation` moved: a helper that went to sleep before
        /// it could see the move is signalled; one that is spinning sees it.
        func wake(_ helper: Int) {
            if helpers[helper].asleep.exchange(0, ordering: .sequentiallyConsistent) == 1 { helpers[helper].semaphore.signal() }
        }

        /// A function of its own so that its reference to the job is gone when
        /// it returns, before the job counts as finished.
        @inline(never)
        func runJob(worker: Int) {
            if let job = job.withLock({ $0 }) { job(worker) }
        }

        func work(helper index: Int) {
            let helper = helpers[index]
            var seen = 0
            while true {
                let start = DispatchTime.now().uptimeNanoseconds
                let limit = UInt64(WorkerPool.spinSeconds * 1e9)
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    spins += 1
                    if spins & 1023 == 0, DispatchTime.now().uptimeNanoseconds - start > limit { break }
                }
                if generation.load(ordering: .acquiring) == seen {
                    // Announce the sleep, then look once more: either `run` moved
                    // the generation before the announcement (seen here), or it
                    // sees the announcement and signals.
                    helper.asleep.store(1, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen {
                        helper.semaphore.wait()
                    } else if helper.asleep.exchange(0, ordering: .sequentiallyConsistent) == 0 {
                        helper.semaphore.wait()  // `run` signalled already: take the signal
                    }
                    continue
                }
                seen = generation.load(ordering: .acquiring)
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                runJob(worker: index + 1)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }
}

/// A value that crosses into the pool's threads although its type is not
/// `Sendable`: only for closures that `WorkerPool.split` keeps from escaping.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
