/// Bounds the work one file can cause and detects cycles.
///
/// A hostile file can point two groups at one B-tree, a B-tree node at itself, a group at
/// its own ancestor, thousands of headers at one huge continuation block, or a thousand
/// attribute strings at one huge heap object. Reading such a file must end, quickly, with
/// an error. The rules:
///  - every B-tree node and symbol table node is read at most once in the whole file
///    (in files HDF5 writes, each belongs to exactly one group);
///  - every group object header is read at most once (a second link to it is refused,
///    which also stops a group from containing itself); dataset headers are read once and
///    reused by further links;
///  - groups nest at most `maximumGroupDepth` deep and B-trees are at most
///    `maximumBTreeLevel` levels tall, so recursion stays shallow;
///  - the bytes of structure examined (header messages, B-tree and symbol table entries,
///    global heap collections, decoded strings) add up to at most a few times the file's
///    size. A file HDF5 wrote examines each such byte about once; only overlapping or
///    repeated structures can exceed the allowance.
final class LoadBudget {
    static let maximumGroupDepth = 64
    static let maximumBTreeLevel = 32

    private var claimedNodes: Set<Int> = []
    private var loadedGroups: [UInt64: String] = [:]
    private var remainingWork: Int
    /// The tallest group B-tree seen, for tests that must know a multi-level tree was read.
    private(set) var deepestBTreeLevel = 0

    private let fileSize: Int

    init(fileSize: Int) {
        self.fileSize = fileSize
        let (scaled, overflowA) = fileSize.multipliedReportingOverflow(by: 4)
        let (allowance, overflowB) = scaled.addingReportingOverflow(1 << 20)
        remainingWork = overflowA || overflowB ? Int.max : allowance
    }

    /// Claims a B-tree node or symbol table node at absolute offset `offset`.
    func claimNode(at offset: Int, structure: String, scope: Scope) throws(HDF5Error) {
        guard claimedNodes.insert(offset).inserted else {
            throw scope.error(
                "the \(structure) is reached a second time: the group B-trees of this file form a loop or "
                    + "are shared between groups; \(damagedFileAdvice)")
        }
    }

    /// Records that the group whose header is at `address` is being read as `path`.
    func claimGroup(at address: UInt64, path: String, scope: Scope) throws(HDF5Error) {
        if let earlier = loadedGroups[address] {
            throw scope.refusal(
                "is the same group (object header at \(hex(address))) as '\(earlier)': the file links one group "
                    + "twice or into itself; cnnc reads files whose groups form a tree, as h5py and Keras write them")
        }
        loadedGroups[address] = path
    }

    func noteBTreeLevel(_ level: Int) {
        deepestBTreeLevel = max(deepestBTreeLevel, level)
    }

    /// Charges `count` bytes of structure examined while reading `what`.
    func spend(_ count: Int, reading what: String, scope: Scope) throws(HDF5Error) {
        guard count >= 0, count <= remainingWork else {
            throw scope.error(
                "reading its \(what) takes more work than a file of \(fileSize) bytes can need: the file's "
                    + "structures overlap or repeat; \(damagedFileAdvice)")
        }
        remainingWork -= count
    }
}
