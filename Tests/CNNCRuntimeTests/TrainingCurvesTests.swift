@testable import CNNCTraining
import Testing

/// `cnnc plot` and `cnnc train --plot`: a history drawn as loss and accuracy
/// curves. What a person would check by eye, as properties of the SVG.
@Suite struct TrainingCurvesTests {
    static let history = TrainingHistory(rows: [
        .init(epoch: 0, accuracy: 0.70, loss: 0.96, validationAccuracy: 0.80, validationLoss: 0.62, seconds: 1),
        .init(epoch: 1, accuracy: 0.86, loss: 0.46, validationAccuracy: 0.90, validationLoss: 0.30, seconds: 1),
        .init(epoch: 2, accuracy: 0.92, loss: 0.28, validationAccuracy: 0.89, validationLoss: 0.35, seconds: 1),
    ])

    @Test func trainingAndValidationAreDrawnInBothPanelsWithTheBestEpochMarked() {
        let svg = TrainingCurves.svg(Self.history, title: "run")
        #expect(svg.components(separatedBy: "<polyline class=\"train\"").count - 1 == 2)
        #expect(svg.components(separatedBy: "<polyline class=\"val\"").count - 1 == 2)
        // The lowest validation loss is epoch 2's (0.30), not the last epoch's.
        #expect(svg.contains("best epoch 2 (validation loss 0.3)") && svg.components(separatedBy: "class=\"best\"").count - 1 == 2)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("<title id=\"title\">run</title>"))
        #expect(svg == TrainingCurves.svg(Self.history, title: "run"))
    }

    @Test func withoutValidationTheBestEpochIsTheLowestTrainingLoss() {
        var history = Self.history
        for index in history.rows.indices { history.rows[index].validationLoss = nil; history.rows[index].validationAccuracy = nil }
        let svg = TrainingCurves.svg(history, title: "<run & co>")
        #expect(!svg.contains("class=\"val\"") && svg.contains("best epoch 3 (training loss 0.28)"))
        #expect(svg.contains("&lt;run &amp; co&gt;") && !svg.contains("<run"))
    }

    /// One epoch, or a loss that never moves, still draws inside its panel.
    @Test func aFlatOrOneEpochHistoryStaysInsideItsPanels() {
        let one = TrainingHistory(rows: [.init(epoch: 0, accuracy: 0.5, loss: 1, validationAccuracy: nil, validationLoss: nil, seconds: 1)])
        let svg = TrainingCurves.svg(one, title: "one")
        #expect(!svg.contains("nan") && !svg.contains("inf") && svg.contains("best epoch 1"))
    }
}

/// K-fold runs: a thin line per fold behind their mean, epoch by epoch.
@Suite struct FoldCurvesTests {
    static let folds = [
        TrainingHistory(rows: [.init(epoch: 0, accuracy: 0.5, loss: 1.0, validationAccuracy: 0.6, validationLoss: 0.9, seconds: 1),
                               .init(epoch: 1, accuracy: 0.7, loss: 0.6, validationAccuracy: 0.8, validationLoss: 0.5, seconds: 1)]),
        TrainingHistory(rows: [.init(epoch: 0, accuracy: 0.3, loss: 1.4, validationAccuracy: 0.4, validationLoss: 1.1, seconds: 2),
                               .init(epoch: 1, accuracy: 0.9, loss: 0.2, validationAccuracy: 0.6, validationLoss: 0.7, seconds: 2)]),
    ]

    @Test func theMeanIsTakenEpochByEpoch() {
        let mean = TrainingCurves.mean(of: Self.folds)
        #expect(mean.rows.count == 2)
        #expect(abs(mean.rows[0].accuracy - 0.4) < 1e-12 && abs(mean.rows[1].loss - 0.4) < 1e-12)
        #expect(abs(mean.rows[0].validationLoss! - 1.0) < 1e-12 && abs(mean.rows[1].validationAccuracy! - 0.7) < 1e-12)
    }

    @Test func eachFoldIsAThinLineInBothPanels() {
        let svg = TrainingCurves.svg(folds: Self.folds, title: "cv")
        #expect(svg.components(separatedBy: "<polyline class=\"fold\"").count - 1 == 4)
        #expect(svg.contains("the mean of 2 folds, each fold's validation as a thin line"))
        #expect(svg.contains("(thin: each of 2 folds; thick: their mean)"))
        // A run without folds draws none.
        #expect(!TrainingCurves.svg(Self.folds[0], title: "one").contains("class=\"fold\""))
    }
}
