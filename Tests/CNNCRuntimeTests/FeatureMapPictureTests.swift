@testable import CNNCTraining
import Foundation
import Testing

/// `cnnc predict --plot-layers`: feature maps and filters as grids of small
/// PNG images inside an SVG, checked byte for byte where a reader could be
/// picky (the PNG) and as a person would look at them otherwise.
@Suite struct FeatureMapPictureTests {
    /// The same 2x1 palette image built by hand in Python, with zlib's own
    /// CRC-32 and Adler-32, and decoded by Pillow to black and orange:
    /// struct.pack chunks around a stored deflate block of b"\x00\x00\x01".
    @Test func aPNGIsWhatAnIndependentWriterWritesAndPillowReads() {
        let png = PNGImage(width: 2, height: 1, pixels: .indexed(palette: [(0, 0, 0), (255, 128, 0)], indices: [0, 1]))
        let hex = png.data.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "89504e470d0a1a0a0000000d4948445200000002000000010803000000c3fc8fb800000006504c5445000000ff8000207c15690000000e494441547801010300fcff000001000400020b218b710000000049454e44ae426082")
    }

    /// Rows longer than one stored block (65,535 bytes) are split into several.
    @Test func aLargeImageSpansSeveralStoredBlocks() {
        let png = PNGImage(width: 300, height: 300, pixels: .rgb([UInt8](repeating: 7, count: 300 * 300 * 3)))
        let data = png.data
        // IDAT holds the zlib header, 5 bytes per block, 300 rows of 901 bytes, and the Adler-32.
        let rows = 300 * 901, blocks = (rows + 65_534) / 65_535
        #expect(data.count == 8 + 25 + (12 + 2 + 5 * blocks + rows + 4) + 12)
    }

    @Test func eachFeatureMapIsAnImageOnItsOwnScaleInChannelOrder() throws {
        // 2x2 pixels, 3 channels: channel 0 counts up, channel 1 is constant, channel 2 holds a NaN.
        let values: [Float] = [0, 5, -1, 1, 5, .nan, 2, 5, 3, 3, 5, 4]
        let svg = FeatureMapPicture.featureMaps(values, height: 2, width: 2, channels: 3, layer: "conv<1>", className: "Conv2D")
        #expect(svg.components(separatedBy: "<image ").count - 1 == 3)
        #expect(svg.contains("<title>0: 0 to 3</title>") && svg.contains("<title>1: 5 to 5</title>") && svg.contains("<title>2: -1 to 4</title>"))
        #expect(svg.contains("<title id=\"title\">conv&lt;1&gt; (Conv2D): feature maps</title>") && !svg.contains("conv<1>"))
        // Small maps are drawn 24 times larger, so a 2x2 map is 48 pixels wide.
        #expect(svg.contains("width=\"48\" height=\"48\""))
        #expect(svg == FeatureMapPicture.featureMaps(values, height: 2, width: 2, channels: 3, layer: "conv<1>", className: "Conv2D"))
    }

    /// A Conv1D's maps are sequences: each a strip 12 pixels high, four to a row.
    @Test func aSequenceMapIsAStrip() {
        let svg = FeatureMapPicture.featureMaps((0..<500).map(Float.init), height: 1, width: 100, channels: 5, layer: "conv1d", className: "Conv1D")
        #expect(svg.components(separatedBy: "width=\"100\" height=\"12\" preserveAspectRatio=\"none\"").count - 1 == 5)
    }

    @Test func manyChannelsAreCutAtTheLimitAndSaySo() {
        let channels = FeatureMapPicture.imageLimit + 6
        let svg = FeatureMapPicture.featureMaps([Float](repeating: 1, count: channels), height: 1, width: 1, channels: channels, layer: "wide", className: "Conv2D")
        #expect(svg.components(separatedBy: "<image ").count - 1 == FeatureMapPicture.imageLimit)
        #expect(svg.contains("The \(channels) feature maps (the first \(FeatureMapPicture.imageLimit) of \(channels))"))
    }

    /// Keras's kernel layout (kh, kw, inputs, filters): a filter's image reads
    /// every `filters`-th value, and all filters share one scale.
    @Test func filtersShareOneScale() {
        // 1x2 kernel, 1 input, 2 filters: filter 0 is (1, 3), filter 1 is (-2, 4).
        let svg = FeatureMapPicture.filters([1, -2, 3, 4], height: 1, width: 2, inputs: 1, filters: 2, layer: "edges")
        #expect(svg.components(separatedBy: "<image ").count - 1 == 2)
        #expect(svg.contains("<title>0: -2 to 4</title>") && svg.contains("<title>1: -2 to 4</title>"))
        #expect(svg.contains("from -2 (dark) to 4 (yellow)"))
    }
}
