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

    /// Reads a file; `kind` names it in errors ("no such weights file").
    public static func read(path: String, kind: String = "weights") throws(RuntimeError) -> SafeTensors {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError(FileManager.default.fileExists(atPath: path)
                ? "\(path): cannot read the \(kind) file" : "\(path): no such \(kind) file")
        }
        return try parse(data, path: path, kind: kind)
    }

    public static func parse(_ data: Data, path: String, kind: String = "weights") throws(RuntimeError) -> SafeTensors {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else {
            throw RuntimeError("\(path): not a safetensors file (\(bytes.count) bytes, shorter than its 8-byte header length)")
        }
        let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        guard headerLength <= UInt64(maximumHeaderBytes), Int(headerLength) <= bytes.count - 8 else {
            throw RuntimeError("\(path): the header claims \(headerLength) bytes but the file has \(bytes.count - 8) after the length; the file is truncated or not safetensors")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) as? [String: Any] else {
            throw RuntimeError("\(path): the safetensors header is not a JSON object")
        }
        let dataCount = bytes.count - headerEnd
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var extents: [(name: String, begin: Int, end: Int)] = []
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
            guard begin >= 0, end >= begin, end <= dataCount else {
                throw RuntimeError("\(path): tensor '\(name)' claims bytes \(begin)..<\(end) but the data section has \(dataCount); the file is truncated")
            }
            // A shape from the file may claim more bytes than an Int holds: compare without trapping.
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: 4)
            guard !overflow, end - begin == byteCount else {
                let needs = overflow ? "more bytes than a file can hold" : "\(byteCount) bytes"
                throw RuntimeError("\(path): tensor '\(name)' of shape \(TensorLayout.shapeText(shape)) needs \(needs) but its header gives \(end - begin)")
            }
            extents.append((name, begin, end))
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { target in
                bytes.withUnsafeBytes { source in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[(headerEnd + begin)..<(headerEnd + end)]))
                }
            }
            // The data is little-endian; so is every machine Swift runs cnnc on, but say so.
            if UInt32(1).littleEndian != 1 { values = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) } }
            // A NaN or infinity would run and print NaN outputs as if they were answers.
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                let hint = kind == "weights" ? " (was the model trained until it diverged?)" : ""
                throw RuntimeError("\(path): tensor '\(name)' holds \(values[index]) at index \(index); \(kind) must be finite numbers\(hint)")
            }
            tensors[name] = Tensor(shape: shape, values: values)
        }
        try checkLayout(extents, dataCount: dataCount, path: path)
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// The format's rule that the tensors tile the data section: in order of
    /// their offsets each starts where the one before ends, from 0 to the end.
    /// A file whose tensors overlap, share bytes or leave a gap was not written
    /// by a safetensors writer, and would load wrong weights without a word.
    private static func checkLayout(_ extents: [(name: String, begin: Int, end: Int)], dataCount: Int, path: String) throws(RuntimeError) {
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
    /// every problem named at once; allocates nothing for the model, so cnnc
    /// runs it before compiling a model of any size.
    public func check(matching layout: [TensorLayout], path: String) throws(RuntimeError) {
        var problems: [String] = []
        for expected in layout {
            guard let tensor = tensors[expected.name] else {
                problems.append("missing tensor '\(expected.name)' of shape \(expected.shapeText)")
                continue
            }
            if tensor.shape != expected.shape {
                problems.append("tensor '\(expected.name)' has shape \(TensorLayout.shapeText(tensor.shape)); the model needs \(expected.shapeText)")
            }
        }
        let known = Set(layout.map(\.name))
        let unexpected = tensors.keys.sorted().filter { !known.contains($0) }
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
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for tensor in layout {
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + tensor.count * 4]] as [String: Any]
            offset += tensor.count * 4
        }
        guard var headerBytes = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) else {
            throw RuntimeError("cannot encode the safetensors header for \(path)")
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var data = Data()
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(headerBytes)
        for tensor in layout {
            parameters[tensor.offset..<(tensor.offset + tensor.count)].withUnsafeBytes { data.append(contentsOf: $0) }
        }
        try AtomicFile.write(data, to: path)
    }
}
