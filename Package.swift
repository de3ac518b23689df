// swift-tools-version: 6.1
// cnnc: a compiler for Keras-style convolutional network descriptions.
// The pipeline lives in CNNCCore (Parse → Check → Summary/Export → Generate);
// the `cnnc` executable is a thin command-line edge over it. CONTRIBUTING.md
// maps every folder to its stage.
import PackageDescription

/// Generated kernels are only fast when optimized for the machine: without a
/// target CPU, SIMD multiply-adds become calls to `fmaf` per lane, and a
/// debug build is hundreds of times slower. `CNNC_FMA` tells generated code
/// that fused multiply-add instructions exist. The flags are written once, in
/// `GeneratedCodeFlags` (Sources/CNNCBuild), which the model packages cnnc
/// builds use; a manifest cannot import it, so these must say the same
/// (`GeneratedCodeFlagsTests` checks).
let generatedCodeSettings: [SwiftSetting] = [
    .unsafeFlags(["-O", "-target-cpu", "native"]),
    .define("CNNC_FMA"),
]

/// Generated code must compile without a single warning under Swift 6's
/// strict concurrency, so users can embed it in strict targets: the targets
/// that compile committed generated code treat warnings as errors.
let warningFreeGeneratedCodeSettings = generatedCodeSettings + [.unsafeFlags(["-warnings-as-errors"])]

/// The test models (100 random specs, the Keras fixtures and the graphs,
/// 100,000 lines) compile without optimization: the same results, since
/// Swift's optimizer never reassociates floating point, in half the build
/// time (for 200 random models, 2.2 against 4.7 minutes on 2 cores; the
/// fixtures and graphs 79 against 180 s of CPU) and a test run of
/// seconds, and the clean `swift test` stays within its 8 minutes. The zoo
/// keeps `-O`, so the optimized code of its kernels (convolutions, Winograd,
/// pixel lanes, pooling, Dense tails, merges, upsampling) is still compiled
/// and checked. Its models have no depthwise, separable, LayerNormalization,
/// PReLU or Cropping2D layer, so those kernels are not compiled with `-O` here.
let unoptimizedGeneratedCodeSettings: [SwiftSetting] = [
    .unsafeFlags(["-Onone", "-target-cpu", "native", "-warnings-as-errors"]),
    .define("CNNC_FMA"),
]

let package = Package(
    name: "cnnc",
    products: [
        .executable(name: "cnnc", targets: ["cnnc"]),
        .library(name: "CNNCCore", targets: ["CNNCCore"]),
        .library(name: "CNNCRuntime", targets: ["CNNCRuntime"]),
        .library(name: "CNNCTraining", targets: ["CNNCTraining"]),
        .library(name: "CNNCData", targets: ["CNNCData"]),
        .plugin(name: "CNNCPlugin", targets: ["CNNCPlugin"]),
        .plugin(name: "GenerateModels", targets: ["GenerateModels"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/onevcat/Rainbow.git", from: "4.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        .target(
            name: "CNNCCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // What generated code imports, and all a user who embeds a model links:
        // the model protocols, weights files, .npy, weight packing, vector math,
        // threads, and the loss and random draws of generated training code.
        // The generator never links it.
        .target(name: "CNNCRuntime", dependencies: ["CNNCSIMD"]),
        // SIMD arithmetic as single vector operations, in C's vector
        // extensions: the standard library's generic SIMD operators unroll
        // into scalar code that made most of a model's compile time.
        .target(name: "CNNCSIMD"),
        // Keras's fit around a generated model: the training loop, optimizers,
        // history, evaluation, data splits and augmentation.
        .target(name: "CNNCTraining", dependencies: ["CNNCRuntime"]),
        // The main of the model executable cnnc builds: its modes (predict,
        // layers, verify, bench, train, evaluate), verification and benchmarks.
        // cnnc copies these three targets' sources into every model package.
        .target(name: "CNNCRunner", dependencies: ["CNNCRuntime", "CNNCTraining"]),
        // Data sets for training and evaluation: MNIST-style IDX files, numpy
        // .npz archives and the built-in procedurally drawn digits.
        .target(
            name: "CNNCData",
            dependencies: ["CNNCRuntime", "CNNCTraining", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // The model zoo: the committed Swift of every spec in Specs/ (Generated/,
        // which GeneratedInSyncTests keeps equal to what the generator makes),
        // compiled optimized and without a warning. Not through the plugin: a
        // plugin's tool is built a second time for the host, which cost every
        // clean build of this package a second CNNCCore. The plugin is built and
        // used as a user's package uses it by the README walkthrough test.
        .target(
            name: "CNNCZoo",
            dependencies: ["CNNCRuntime"],
            path: "Generated",
            swiftSettings: warningFreeGeneratedCodeSettings
        ),
        // A spec file in a target becomes generated Swift at build time.
        .plugin(
            name: "CNNCPlugin",
            capability: .buildTool(),
            dependencies: ["cnnc-generate"]
        ),
        // The plugins' generator: CNNCCore alone, because SwiftPM builds a
        // plugin's tool again for the host, and all of cnnc twice cost every
        // package that uses the plugins (and this one's clean build) minutes.
        .executableTarget(name: "cnnc-generate", dependencies: ["CNNCCore"]),
        // `swift package --allow-writing-to-package-directory generate-models`
        .plugin(
            name: "GenerateModels",
            capability: .command(
                intent: .custom(verb: "generate-models", description: "Write the generated Swift for every spec into Generated/"),
                permissions: [.writeToPackageDirectory(reason: "cnnc writes the generated model sources into the package")]
            ),
            dependencies: ["cnnc-generate"]
        ),
        // Turns generated source into a runnable model: a cached SwiftPM package
        // built with `swift build` (the build stage of the pipeline).
        .target(
            name: "CNNCBuild",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")]
        ),
        .executableTarget(
            name: "cnnc",
            dependencies: [
                "CNNCCore",
                "CNNCRuntime",
                "CNNCTraining",
                "CNNCRunner",
                "CNNCBuild",
                "CNNCData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Rainbow", package: "Rainbow"),
            ]
        ),
        // Times the zoo: swift run -c release zoo-latency
        .executableTarget(
            name: "zoo-latency",
            dependencies: ["CNNCZoo", "CNNCRuntime"],
            path: "Benchmarks/ZooLatency",
            swiftSettings: generatedCodeSettings
        ),
        .testTarget(
            name: "CNNCCoreTests",
            dependencies: ["CNNCCore", "CNNCRuntime", "CNNCTraining", "CNNCRunner", "CNNCData", "CNNCBuild",
                           // zlib's inflate, to decode the PNGs a real SVG renderer draws (PictureRenderingTests).
                           .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // 100 random small specs' generated Swift (Tools/refresh-generated.sh).
        .target(
            name: "RandomModels",
            dependencies: ["CNNCRuntime"],
            path: "Tests/RandomModels",
            swiftSettings: unoptimizedGeneratedCodeSettings
        ),
        // The Keras fixture specs' generated Swift (same script), unoptimized as the random models.
        .target(
            name: "FixtureModels",
            dependencies: ["CNNCRuntime"],
            path: "Tests/FixtureModels",
            swiftSettings: unoptimizedGeneratedCodeSettings
        ),
        // The compilable graph specs' generated Swift (same script), unoptimized too.
        .target(
            name: "GraphModels",
            dependencies: ["CNNCRuntime"],
            path: "Tests/GraphModels",
            swiftSettings: unoptimizedGeneratedCodeSettings
        ),
        .testTarget(name: "IntegrationTests", dependencies: ["CNNCRuntime"]),
        .testTarget(
            name: "CNNCRuntimeTests",
            dependencies: ["CNNCRuntime", "CNNCTraining", "CNNCRunner"]
        ),
        .testTarget(
            name: "CNNCDataTests",
            dependencies: ["CNNCData", "CNNCRuntime", "CNNCTraining"]
        ),
        .testTarget(
            name: "GeneratedModelTests",
            dependencies: ["CNNCZoo", "RandomModels", "FixtureModels", "GraphModels", "CNNCCore", "CNNCRuntime", "CNNCTraining", "CNNCRunner"],
            // The Float64 reference network runs thousands of times in the
            // finite-difference gradient checks: optimized, that takes seconds.
            swiftSettings: [.unsafeFlags(["-O"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
