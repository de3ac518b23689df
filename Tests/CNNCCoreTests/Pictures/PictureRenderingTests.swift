@testable import CNNCTraining
import CNNCCore
import Foundation
import Testing

/// Every kind of picture cnnc draws, rendered to PNG by a real SVG renderer
/// (librsvg's rsvg-convert, which `.ci/run` installs from Debian's packages)
/// and looked at: the size the SVG declares, and visible, varied content.
/// The feature maps' images are PNGs cnnc wrote, so librsvg decoding them is
/// also a check of cnnc's PNG writer. Without rsvg-convert on the PATH these
/// tests are skipped, and say so.
@Suite(.enabled(if: SVGRenderer.path != nil, "rsvg-convert is not installed (Debian: librsvg2-bin); .ci/run installs it"))
struct PictureRenderingTests {
    /// The SVG's declared size, and its rendering by rsvg-convert.
    static func render(_ svg: String) throws -> (declared: (Int, Int), png: RenderedPNG) {
        let width = try #require(Self.attribute("width", in: svg)), height = try #require(Self.attribute("height", in: svg))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(SVGRenderer.path))
        process.arguments = ["--format", "png"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(svg.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return ((width, height), try RenderedPNG(data))
    }

    static func attribute(_ name: String, in svg: String) -> Int? {
        guard let root = svg.range(of: "<svg "), let start = svg.range(of: " \(name)=\"", range: root.upperBound..<svg.endIndex) else { return nil }
        return Int(svg[start.upperBound...].prefix { $0.isNumber })
    }

    static func expectLooksDrawn(_ svg: String, colours: Int, _ what: Comment) throws {
        let (declared, png) = try render(svg)
        #expect(png.width == declared.0 && png.height == declared.1, what)
        // Text, boxes and lines cover a good part of any of these pictures.
        #expect(png.visiblePixels > png.width * png.height / 50, what)
        #expect(png.distinctColours >= colours, what)
    }

    @Test func modelDiagram() throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/graphs/residual_block.yaml")
        try Self.expectLooksDrawn(SVGDiagram.render(ModelDiagram(model: model)), colours: 4, "diagram")
    }

    @Test func trainingCurves() throws {
        let history = TrainingHistory(rows: (0..<6).map { epoch in
            let e = Double(epoch)
            return .init(epoch: epoch, accuracy: 0.6 + 0.06 * e, loss: 1.2 / (e + 1), validationAccuracy: 0.65 + 0.05 * e, validationLoss: 1.1 / (e + 1) + 0.05, seconds: 1)
        })
        try Self.expectLooksDrawn(TrainingCurves.svg(history, title: "digits"), colours: 4, "curves")
    }

    @Test func confusionMatrix() throws {
        let svg = ConfusionMatrixPicture.svg([[50, 3, 1], [4, 40, 6], [0, 2, 44]], classNames: ["zero", "one", "two"], title: "digits")
        try Self.expectLooksDrawn(svg, colours: 6, "confusion matrix")
    }

    /// A smooth ramp in every map: decoded by librsvg, the images show many viridis colours.
    @Test func featureMapsAndFilters() throws {
        let (height, width, channels) = (12, 12, 4)
        let values: [Float] = (0..<(height * width * channels)).map { index in
            let ramp = Float(index % (width * channels)), weight = Float(index % 7 + 1)
            return ramp * weight
        }
        try Self.expectLooksDrawn(FeatureMapPicture.featureMaps(values, height: height, width: width, channels: channels, layer: "conv2d", className: "Conv2D"),
                                  colours: 30, "feature maps")
        let kernel: [Float] = (0..<72).map { Float($0) / 72 - 0.5 }
        try Self.expectLooksDrawn(FeatureMapPicture.filters(kernel, height: 3, width: 3, inputs: 1, filters: 8, layer: "conv2d"), colours: 8, "filters")
    }
}

/// librsvg's command-line renderer, where it is installed.
enum SVGRenderer {
    static let path: String? = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
}
