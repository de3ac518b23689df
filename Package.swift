// swift-tools-version: 6.1
// cnnc: a compiler for Keras-style convolutional network descriptions.
// The pipeline lives in CNNCCore (Parse → Check → Summary today, Generate next);
// the `cnnc` executable is a thin command-line edge over it.
import PackageDescription

let package = Package(
    name: "cnnc",
    products: [
        .executable(name: "cnnc", targets: ["cnnc"]),
        .library(name: "CNNCCore", targets: ["CNNCCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/onevcat/Rainbow.git", from: "4.0.0"),
    ],
    targets: [
        .target(
            name: "CNNCCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "cnnc",
            dependencies: [
                "CNNCCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Rainbow", package: "Rainbow"),
            ]
        ),
        .testTarget(
            name: "CNNCCoreTests",
            dependencies: ["CNNCCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
