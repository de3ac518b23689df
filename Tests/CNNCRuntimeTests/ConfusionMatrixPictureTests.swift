@testable import CNNCTraining
import Testing

/// `cnnc evaluate --plot`: the confusion matrix as a heat map, checked as a
/// person reading it would: every count in its cell, each row's recall, the
/// diagonal bright where a class is mostly right, names escaped.
@Suite struct ConfusionMatrixPictureTests {
    static let confusion = [[8, 2, 0], [1, 9, 0], [0, 0, 0]]

    @Test func everyCellShowsItsCountShadedByItsShareOfTheRow() {
        let svg = ConfusionMatrixPicture.svg(Self.confusion, classNames: ["cat", "dog", "<bird>"], title: "pets")
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 9)
        // 8 of 10 cats right: the 0.8 stop of viridis; 9 of 10 dogs: 0.9.
        #expect(svg.contains("fill=\"\(ConfusionMatrixPicture.viridis[8])\"><title>true cat, predicted cat: 8</title>"))
        #expect(svg.contains("fill=\"\(ConfusionMatrixPicture.viridis[9])\"><title>true dog, predicted dog: 9</title>"))
        // A class with no samples has no recall, and its cells the darkest colour.
        #expect(svg.contains(">0.800</text>") && svg.contains(">0.900</text>") && svg.contains(">-</text>"))
        #expect(svg.contains("accuracy 0.8500 over 20 samples") && svg.contains("&lt;bird&gt;") && !svg.contains("<bird>"))
        #expect(svg == ConfusionMatrixPicture.svg(Self.confusion, classNames: ["cat", "dog", "<bird>"], title: "pets"))
    }

    @Test func withoutNamesTheClassesAreNumbered() {
        let svg = ConfusionMatrixPicture.svg(Self.confusion, classNames: [], title: "digits")
        #expect(svg.contains("<title>true 1, predicted 0: 1</title>"))
    }
}
