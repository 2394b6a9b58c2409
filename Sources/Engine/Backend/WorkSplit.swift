import Dispatch

/// How a kernel's work is shared between cores. Assignment is static (task i goes to lane
/// i mod lanes) and every reduction is summed in lane order, so a given thread count always gives
/// the same bits; one thread gives the sequential result.
struct WorkSplit: Sendable {
    let threads: Int

    /// Runs `body(lane, lanes)` on `min(threads, tasks)` lanes at once.
    func forEachLane(tasks: Int, _ body: (_ lane: Int, _ lanes: Int) -> Void) {
        let lanes = max(1, min(threads, tasks))
        if lanes == 1 {
            body(0, 1)
            return
        }
        // Lanes touch disjoint parts of the output by construction (each kernel's contract).
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in body(lane, lanes) }
    }

    /// Runs `body(task)` for every task in `0..<tasks`, task i on lane i mod lanes.
    func forEachTask(_ tasks: Int, _ body: (_ task: Int) -> Void) {
        forEachLane(tasks: tasks) { lane, lanes in
            for task in stride(from: lane, to: tasks, by: lanes) { body(task) }
        }
    }

    /// Splits `0..<count` into one contiguous range per lane; small counts stay on one lane, since
    /// waking a second thread costs more than a few thousand additions.
    func forEachRange(of count: Int, minimumPerLane: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        let lanes = max(1, min(threads, count / max(1, minimumPerLane)))
        forEachLane(tasks: lanes) { lane, lanes in
            body((count * lane / lanes)..<(count * (lane + 1) / lanes))
        }
    }
}
