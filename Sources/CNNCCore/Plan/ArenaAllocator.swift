/// Offsets in one arena for buffers that live from one step to another, as
/// XLA's buffer assignment and TFLite's arena planner choose them: a buffer's
/// memory is reused once the last step that reads it has run.
///
/// Greedy by size: the largest buffers are placed first, each at the lowest
/// offset that overlaps no placed buffer alive at the same time. Two buffers
/// alive at the same step never share memory, so a step's input and output
/// (both alive at that step) are always apart. Offsets are multiples of 16
/// floats, a 64-byte cache line, so no region starts mid-line.
enum ArenaAllocator {
    /// A buffer of `count` floats alive from step `first` to step `last`, both included.
    struct Request: Hashable, Sendable {
        var count: Int
        var first: Int
        var last: Int

        func overlapsInTime(_ other: Request) -> Bool { first <= other.last && other.first <= last }
    }

    static let alignment = 16

    /// Each request's offset, in the requests' order, and the floats they span.
    static func place(_ requests: [Request]) -> (offsets: [Int], total: Int) {
        var offsets = [Int](repeating: 0, count: requests.count)
        var placed: [Int] = []
        let order = requests.indices.sorted { (requests[$0].count, -requests[$0].first, -$0) > (requests[$1].count, -requests[$1].first, -$1) }
        for index in order {
            let request = requests[index]
            let neighbours = placed.filter { requests[$0].overlapsInTime(request) }.sorted { offsets[$0] < offsets[$1] }
            var offset = 0
            for neighbour in neighbours {
                if offsets[neighbour] >= offset + request.count { break }
                offset = max(offset, aligned(offsets[neighbour] + requests[neighbour].count))
            }
            offsets[index] = offset
            placed.append(index)
        }
        let total = requests.indices.map { aligned(offsets[$0] + requests[$0].count) }.max() ?? 0
        return (offsets, total)
    }

    static func aligned(_ count: Int) -> Int { (count + alignment - 1) / alignment * alignment }
}
