import Foundation

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte
/// range, then the raw little-endian data. cnnc reads and writes float32.
public struct SafeTensors: Sendable {
    public struct Tensor: Sendable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            self.values = values
        }
    }

    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    /// The largest header accepted: real headers are a few kilobytes.
    static let maximumHeaderBytes = 100 << 20

    /// One tensor as the header places it: bytes `begin..<end` of the data section.
    struct Extent {
        var name: String
        var shape: [Int]
        var begin: Int
        var end: Int
        var count: Int { (end - begin) / 4 }
    }

    /// A file's header, checked: every tensor float32, its bytes as many as
    /// its shape needs, the tensors tiling the data section.
    struct Header {
        var extents: [Extent]
        var metadata: [String: String]
        /// Where the data section starts in the file.
        var dataStart: Int
        /// Each tensor's shape by name, as `check(shapes:matching:)` compares them.
        var shapes: [String: [Int]] { Dictionary(extents.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first }) }
    }

    /// Reads a file; `kind` names it in errors ("no such weights file").
    public static func read(path: String, kind: String = "weights") throws(RuntimeError) -> SafeTensors {
        try tensors(from: SafeTensorsFile(path: path, kind: kind), path: path, kind: kind)
    }

    public static func parse(_ data: Data, path: String, kind: String = "weights") throws(RuntimeError) -> SafeTensors {
        try tensors(from: data, path: path, kind: kind)
    }

    /// A model's parameter buffer straight from a file, checked against the
    /// layout as `parameters(matching:count:path:)` checks it: each tensor is
    /// read from the file into its place, so the weights are in memory once
    /// (a 1.4 GB model took three copies and 20 s of page zeroing before).
    public static func readParameters(path: String, matching layout: [TensorLayout], count: Int) throws(RuntimeError) -> [Float] {
        let (file, header) = try opened(path: path, matching: layout)
        let places = Dictionary(layout.map { ($0.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var parameters = [Float](repeating: 0, count: count)
        try parameters.withUnsafeMutableBufferPointer { (buffer) throws(RuntimeError) in
            for extent in header.extents {
                // check(shapes:) found every tensor in the layout, with the layout's shape.
                guard let offset = places[extent.name], offset >= 0, offset + extent.count <= count else {
                    throw RuntimeError("\(path): the model places tensor '\(extent.name)' outside its \(count) parameters; regenerate the model")
                }
                try values(extent, of: header, from: file, into: UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + extent.count)]), path: path, kind: "weights")
            }
        }
        return parameters
    }

    /// Checks a file against a layout, values included (each must be finite),
    /// holding one tensor in memory at a time: what cnnc does with a user's
    /// weights before it compiles anything.
    public static func validate(path: String, matching layout: [TensorLayout]) throws(RuntimeError) {
        let (file, header) = try opened(path: path, matching: layout)
        let largest = header.extents.map(\.count).max() ?? 0
        var scratch = [Float](repeating: 0, count: largest)
        try scratch.withUnsafeMutableBufferPointer { (buffer) throws(RuntimeError) in
            for extent in header.extents {
                try values(extent, of: header, from: file, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<extent.count]), path: path, kind: "weights")
            }
        }
    }

    /// A weights file opened, its header read and its tensors' names and shapes checked against the layout.
    private static func opened(path: String, matching layout: [TensorLayout]) throws(RuntimeError) -> (SafeTensorsFile, Header) {
        let file = try SafeTensorsFile(path: path, kind: "weights")
        let header = try header(of: file, path: path)
        try check(shapes: header.shapes, matching: layout, path: path)
        return (file, header)
    }

    private static func tensors(from source: some SafeTensorsBytes, path: String, kind: String) throws(RuntimeError) -> SafeTensors {
        let header = try header(of: source, path: path)
        var tensors: [String: Tensor] = [:]
        for extent in header.extents {
            var values = [Float](repeating: 0, count: extent.count)
            try values.withUnsafeMutableBufferPointer { (buffer) throws(RuntimeError) in
                try Self.values(extent, of: header, from: source, into: buffer, path: path, kind: kind)
            }
            tensors[extent.name] = Tensor(shape: extent.shape, values: values)
        }
        return SafeTensors(tensors: tensors, metadata: header.metadata)
    }

    /// One tensor's values into `target` (its `count` floats), refusing a NaN or infinity.
    private static func values(_ extent: Extent, of header: Header, from source: some SafeTensorsBytes, into target: UnsafeMutableBufferPointer<Float>,
                               path: String, kind: String) throws(RuntimeError) {
        try source.copy((header.dataStart + extent.begin)..<(header.dataStart + extent.end), into: UnsafeMutableRawBufferPointer(target))
        // The data is little-endian; so is every machine Swift runs cnnc on, but say so.
        if UInt32(1).littleEndian != 1 {
            for index in target.indices { target[index] = Float(bitPattern: target[index].bitPattern.byteSwapped) }
        }
        // A NaN or infinity would run and print NaN outputs as if they were answers.
        if let index = target.firstIndex(where: { !$0.isFinite }) {
            let hint = kind == "weights" ? " (was the model trained until it diverged?)" : ""
            throw RuntimeError("\(path): tensor '\(extent.name)' holds \(target[index]) at index \(index); \(kind) must be finite numbers\(hint)")
        }
    }

    /// Reads and checks the header: the 8-byte length, the JSON, each tensor's entry, the tiling.
    private static func header(of source: some SafeTensorsBytes, path: String) throws(RuntimeError) -> Header {
        guard source.count >= 8 else {
            throw RuntimeError("\(path): not a safetensors file (\(source.count) bytes, shorter than its 8-byte header length)")
        }
        let lengthBytes = try source.bytes(0..<8)
        let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(lengthBytes[$1]) << (8 * UInt64($1)) }
        guard headerLength <= UInt64(maximumHeaderBytes), Int(headerLength) <= source.count - 8 else {
            throw RuntimeError("\(path): the header claims \(headerLength) bytes but the file has \(source.count - 8) after the length; the file is truncated or not safetensors")
        }
        let headerEnd = 8 + Int(headerLength)
        let text = try source.bytes(8..<headerEnd)
        guard let header = try? JSONSerialization.jsonObject(with: Data(text)) as? [String: Any] else {
            throw RuntimeError("\(path): the safetensors header is not a JSON object")
        }
        let dataCount = source.count - headerEnd
        var metadata: [String: String] = [:]
        var extents: [Extent] = []
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = (entry as? [String: String]) ?? [:]
                continue
            }
            guard let entry = entry as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw RuntimeError("\(path): tensor '\(name)' has no valid dtype, shape and data_offsets in the header")
            }
            guard dtype == "F32" else {
                throw RuntimeError("\(path): tensor '\(name)' is \(dtype); cnnc reads float32 (F32) weights — convert with numpy .astype('float32')")
            }
            guard shape.allSatisfy({ $0 >= 0 }), let count = checkedCount(shape) else {
                throw RuntimeError("\(path): tensor '\(name)' has an invalid shape \(shape)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin else {
                throw RuntimeError("\(path): tensor '\(name)' has data_offsets [\(begin), \(end)], which are no range of bytes (they must be a start and an end, 0 ≤ start ≤ end); the file is damaged or not safetensors")
            }
            guard end <= dataCount else {
                throw RuntimeError("\(path): tensor '\(name)' claims bytes \(begin)..<\(end) but the data section has \(dataCount); the file is truncated")
            }
            // A shape from the file may claim more bytes than an Int holds: compare without trapping.
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: 4)
            guard !overflow, end - begin == byteCount else {
                let needs = overflow ? "more bytes than a file can hold" : "\(byteCount) bytes"
                throw RuntimeError("\(path): tensor '\(name)' of shape \(TensorLayout.shapeText(shape)) needs \(needs) but its header gives \(end - begin)")
            }
            extents.append(Extent(name: name, shape: shape, begin: begin, end: end))
        }
        try checkLayout(extents, dataCount: dataCount, path: path)
        // In the file's order, so that the first bad value named is the same every time.
        extents.sort { $0.begin < $1.begin }
        return Header(extents: extents, metadata: metadata, dataStart: headerEnd)
    }

    /// The format's rule that the tensors tile the data section: in order of
    /// their offsets each starts where the one before ends, from 0 to the end.
    /// A file whose tensors overlap, share bytes or leave a gap was not written
    /// by a safetensors writer, and would load wrong weights without a word.
    private static func checkLayout(_ extents: [Extent], dataCount: Int, path: String) throws(RuntimeError) {
        var expected = 0
        for extent in extents.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard extent.begin == expected else {
                let problem = extent.begin < expected ? "overlaps the tensor before it (which ends at byte \(expected))" : "leaves a gap after byte \(expected)"
                throw RuntimeError("\(path): tensor '\(extent.name)' starts at data byte \(extent.begin) and \(problem); safetensors tensors lie back to back without gaps or overlaps: the file is damaged")
            }
            expected = extent.end
        }
        guard expected == dataCount else {
            throw RuntimeError("\(path): the tensors cover \(expected) bytes of a \(dataCount)-byte data section; the file is damaged or has bytes appended")
        }
    }

    private static func checkedCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// The model's parameter buffer from these tensors, checked against the
    /// layout: every problem (missing, extra, mis-shaped) is named at once.
    public func parameters(matching layout: [TensorLayout], count: Int, path: String) throws(RuntimeError) -> [Float] {
        try check(matching: layout, path: path)
        var parameters = [Float](repeating: 0, count: count)
        for expected in layout {
            guard let tensor = tensors[expected.name] else { continue }
            parameters.replaceSubrange(expected.offset..<(expected.offset + expected.count), with: tensor.values)
        }
        return parameters
    }

    /// Whether these tensors are exactly the layout's, by name and shape, with
    /// every problem named at once; allocates nothing for the model.
    public func check(matching layout: [TensorLayout], path: String) throws(RuntimeError) {
        try Self.check(shapes: tensors.mapValues(\.shape), matching: layout, path: path)
    }

    private static func check(shapes: [String: [Int]], matching layout: [TensorLayout], path: String) throws(RuntimeError) {
        var problems: [String] = []
        for expected in layout {
            guard let shape = shapes[expected.name] else {
                problems.append("missing tensor '\(expected.name)' of shape \(expected.shapeText)")
                continue
            }
            if shape != expected.shape {
                problems.append("tensor '\(expected.name)' has shape \(TensorLayout.shapeText(shape)); the model needs \(expected.shapeText)")
            }
        }
        let known = Set(layout.map(\.name))
        let unexpected = shapes.keys.sorted().filter { !known.contains($0) }
        if !unexpected.isEmpty {
            let names = unexpected.map { "'\($0)'" }.joined(separator: ", ")
            problems.append("unexpected tensor\(unexpected.count == 1 ? "" : "s") \(names) (the model's tensors are: \(layout.map(\.name).joined(separator: ", ")))")
        }
        guard problems.isEmpty else {
            throw RuntimeError("\(path): the weights do not fit the model:\n  " + problems.joined(separator: "\n  "))
        }
    }

    /// Writes these tensors, in the order of their names, atomically.
    public func write(to path: String) throws(RuntimeError) {
        var parameters: [Float] = []
        var layout: [TensorLayout] = []
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
            layout.append(TensorLayout(name: name, shape: tensor.shape, offset: parameters.count))
            parameters += tensor.values
        }
        try Self.write(parameters: parameters, layout: layout, metadata: metadata, to: path)
    }

    /// Writes the parameter buffer as one tensor per layout entry, atomically.
    public static func write(parameters: [Float], layout: [TensorLayout], metadata: [String: String], to path: String) throws(RuntimeError) {
        try write(layout: layout, metadata: metadata, to: path) { place in
            try parameters.withUnsafeBufferPointer { buffer in
                for tensor in layout {
                    try place(tensor.name, UnsafeBufferPointer(rebasing: buffer[tensor.offset..<(tensor.offset + tensor.count)]))
                }
            }
        }
    }

    /// Writes one tensor per layout entry, atomically, the values handed over
    /// by `fill` through the function it is given, `place(name, values)`, in
    /// any order, each tensor once: a model's weights converted from another
    /// file tensor by tensor, never all in memory at once, go to disk so.
    public static func write(layout: [TensorLayout], metadata: [String: String], to path: String,
                             _ fill: (_ place: (String, UnsafeBufferPointer<Float>) throws -> Void) throws -> Void) throws(RuntimeError) {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var places: [String: (begin: Int, count: Int)] = [:]
        var offset = 0
        for tensor in layout {
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + tensor.count * 4]] as [String: Any]
            places[tensor.name] = (offset, tensor.count)
            offset += tensor.count * 4
        }
        guard var headerBytes = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) else {
            throw RuntimeError("cannot encode the safetensors header for \(path)")
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var length = UInt64(headerBytes.count).littleEndian
        let prefix = withUnsafeBytes(of: &length) { Data($0) } + headerBytes
        try AtomicFile.write(to: path) { handle in
            try handle.write(contentsOf: prefix)
            var unwritten = Set(places.keys)
            try fill { name, values in
                guard let place = places[name], values.count == place.count, unwritten.remove(name) != nil else {
                    throw RuntimeError("cannot write \(path): tensor '\(name)' of \(values.count) values is not one the layout has left to write")
                }
                guard let base = values.baseAddress else { return }
                try handle.seek(toOffset: UInt64(prefix.count + place.begin))
                // The values' own bytes, not copied into a Data first.
                try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: values.count * 4, deallocator: .none))
            }
            if let name = unwritten.sorted().first { throw RuntimeError("cannot write \(path): no values were given for tensor '\(name)'") }
        }
    }
}
