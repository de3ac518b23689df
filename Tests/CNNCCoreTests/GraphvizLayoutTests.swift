import CNNCCore
import Foundation
import Testing

/// `cnnc diagram` laid out by Graphviz's `dot`: what cnnc sends it (sizes
/// and `n0`-style names, never user text), how it reads `-Tplain` back, and,
/// where `dot` is installed (`.ci/run` installs it), a real layout of
/// InceptionV3 in which no boxes overlap and every arrow runs between the
/// boxes it joins.
@Suite struct GraphvizLayoutTests {
    static func twoBoxes() throws -> ModelDiagram {
        let model = try Frontend.load(text: "name: 'a \"quoted\" name'\ninput_shape: [4]\nlayers:\n  - Dense: {units: 2, name: 'x\"; n9 -> n0; #'}\n", file: "two.yaml").get()
        return ModelDiagram(model: model)
    }

    @Test func dotIsSentSizesAndNumbersOnly() throws {
        let input = GraphvizLayout.input(try Self.twoBoxes())
        #expect(!input.contains("quoted") && !input.contains("n9"))
        #expect(input.contains("n0 [width=") && input.contains("fixedsize=true"))
    }

    /// Inches with y up become pixels with y down, inside the margin; a spline's 3k + 1 points make a curve.
    @Test func plainOutputIsReadIntoPixels() throws {
        let diagram = ModelDiagram(model: try Frontend.load(text: "input_shape: [4]\nlayers:\n  - Dense: {units: 2}\n  - Dense: {units: 2}\n", file: "two.yaml").get())
        let plain = """
            graph 1 3 2
            node n0 1.5 1.5 2 0.5 "" solid box black lightgrey
            node n1 1.5 0.5 2 0.5 "" solid box black lightgrey
            edge n0 n1 4 1.5 1.25 1.5 1.1 1.5 0.9 1.5 0.75 solid black
            stop
            """
        let layout = try GraphvizLayout.layout(diagram, plain: plain)
        #expect(layout.width == 3 * 72 + 32 && layout.height == 2 * 72 + 32)
        let first = layout.boxes[0]
        #expect(first.x + first.width / 2 == 108 + 16 && first.y + first.height / 2 == 36 + 16)
        #expect(layout.arrows == [.init(points: [.init(x: 124, y: 70), .init(x: 124, y: 81), .init(x: 124, y: 95), .init(x: 124, y: 106)], curved: true)])
        #expect(SVGDiagram.render(diagram, layout: layout).contains(#"<path class="arrow" d="M 124,70 C 124,81 124,95 124,106""#))
    }

    @Test(arguments: [
        ("graph 1 3 2\nnode n0 1 1 1 1\nstop\n", "left out box n1"),
        ("node n0 1 1 1 1\n", "no 'graph' line"),
        ("graph 1 3 2\nnode n7 1 1 1 1\n", "did not ask for"),
        ("graph 1 3 2\nnode n0 1 nan 1 1\n", "where a coordinate belongs"),
        ("graph 1 3 2\nnode n0 1 1 1 1\nnode n1 1 1 1 1\nedge n0 n1 4 1 1\n", "without its points"),
        ("graph 1 3 2\nnode n0 1 1 1 1\nnode n1 1 1 1 1\nedge n0 n1 9223372036854775807 1 1\n", "without its points"),
        ("graph 1 3 2\nnode n0 1 1 1 1\nnode n1 1 1 1 1\n", "left out the arrow"),
    ])
    func outputThatIsNotTheLayoutIsRefused(plain: String, problem: String) throws {
        let diagram = ModelDiagram(model: try Frontend.load(text: "input_shape: [4]\nlayers:\n  - Dense: {units: 2}\n  - Dense: {units: 2}\n", file: "two.yaml").get())
        #expect { try GraphvizLayout.layout(diagram, plain: plain) } throws: { "\($0)".contains(problem) }
    }

    @Test(.enabled(if: GraphvizDot.path != nil, "Graphviz's dot is not installed (Debian: graphviz); .ci/run installs it"))
    func inceptionV3IsLaidOutWithoutOverlaps() throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/keras/functional/json3/inceptionv3.json")
        let diagram = ModelDiagram(model: model)
        let layout = try GraphvizLayout.layout(diagram, plain: try GraphvizDot.plain(GraphvizLayout.input(diagram)))
        let boxes = layout.boxes
        #expect(boxes.count == diagram.boxes.count)
        for box in boxes { #expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= layout.width && box.y + box.height <= layout.height) }
        // Sorted by x, each box meets only boxes that start before it ends.
        let sorted = boxes.sorted { $0.x < $1.x }
        var overlaps = 0
        for (index, box) in sorted.enumerated() {
            for other in sorted[(index + 1)...] {
                if other.x >= box.x + box.width { break }
                if other.y < box.y + box.height && box.y < other.y + other.height { overlaps += 1 }
            }
        }
        #expect(overlaps == 0)
        // Each arrow leaves its source's edge and ends on its reader's (dot rounds to a few pixels).
        func near(_ point: DiagramLayout.Point, _ box: DiagramLayout.Rectangle) -> Bool {
            point.x >= box.x - 3 && point.x <= box.x + box.width + 3 && point.y >= box.y - 3 && point.y <= box.y + box.height + 3
        }
        for (arrow, path) in zip(diagram.arrows, layout.arrows) {
            #expect(near(path.points[0], boxes[arrow.from]) && near(path.points[path.points.count - 1], boxes[arrow.to]))
        }
    }
}

/// Graphviz's `dot`, when installed.
enum GraphvizDot {
    static let path: String? = ["/usr/bin/dot", "/usr/local/bin/dot"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func plain(_ input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path))
        process.arguments = ["-Tplain"]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // The input is small next to a pipe's buffer; the output is read after it is closed.
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: output, as: UTF8.self)
    }
}
