/// Layers of equal geometry run one set of kernel functions: a deep model
/// repeats a few geometries (ResNet's blocks, a chain of equal convolutions),
/// and one function per layer made its generated code, and the compiler's time
/// and memory, grow with its depth (issue 16: a 2,000-layer chain was 370,000 lines).
///
/// Two layers share when their kernels are equal as values once their
/// function names are set aside: the kernels read the layer's own weights
/// through the pointer the caller hands them (`NodeProgram.weightBase`), so a
/// kernel no longer depends on where its layer's weights are. The layers
/// themselves must be equal too (operation, shapes, padding, parameters,
/// `trainable`), because the backward functions are written from the layer.
/// Equal values give equal text, so sharing can never change what runs.
enum KernelSharing {
    static func share(_ nodes: inout [NodeProgram]) {
        var owners: [Key: Int] = [:]
        for index in nodes.indices {
            guard let key = Key(nodes[index]) else { continue }
            guard let owner = owners[key] else {
                owners[key] = index
                continue
            }
            let stem = nodes[owner].function
            nodes[index].kernel = nodes[index].kernel.renamingFunctions(from: nodes[index].function, to: stem)
            nodes[index].function = stem
            nodes[index].sharesKernelsOf = owner
        }
    }

    /// What a layer's generated functions are written from, without its name and place.
    private struct Key: Hashable {
        var layer: CheckedLayer
        var kernel: InferenceKernel

        /// nil for a layer whose functions depend on more than its geometry:
        /// its weights at fixed offsets (BatchNormalization, LayerNormalization,
        /// PReLU, Rescaling, Normalization), a training step of its own (merges,
        /// whose backward functions depend on what each input's gradient already
        /// holds; the training-only layers), or no function at all.
        init?(_ node: NodeProgram) {
            switch node.layer.operation {
            case .conv2D, .depthwiseConv2D, .separableConv2D, .conv2DTranspose, .dense:
                guard node.weightBase != nil else { return nil }
            case .maxPooling2D, .averagePooling2D, .globalAveragePooling2D, .globalMaxPooling2D, .zeroPadding2D, .cropping2D,
                 .upSampling2D, .resizing, .permute, .repeatVector, .activation, .softmax, .relu, .elu:
                break
            case .batchNormalization, .layerNormalization, .prelu, .rescaling, .normalization, .merge, .concatenate,
                 .identityAtInference, .dropout, .flatten, .reshape, .oneDimensional, .layerScale:
                return nil
            }
            var layer = node.layer
            layer.name = ""
            layer.inputs = []
            layer.location = SourceLocation(file: "", line: 0, column: 0)
            layer.nestedModel = nil
            layer.callIndex = 0
            layer.sharesWeightsOf = nil
            self.layer = layer
            kernel = node.kernel.renamingFunctions(from: node.function, to: "")
        }
    }
}

extension InferenceKernel {
    /// The same kernels with every function's stem `old` replaced by `new`
    /// (`l3_conv_2_pad` → `l1_conv_pad`).
    func renamingFunctions(from old: String, to new: String) -> InferenceKernel {
        func renamed(_ function: String) -> String {
            function.hasPrefix(old) ? new + function.dropFirst(old.count) : function
        }
        func renamed<Kernel>(_ kernel: Kernel, _ path: WritableKeyPath<Kernel, String>) -> Kernel {
            var kernel = kernel
            kernel[keyPath: path] = renamed(kernel[keyPath: path])
            return kernel
        }
        switch self {
        case .convolution(var kernels):
            kernels.padding = kernels.padding.map { renamed($0, \.function) }
            kernels.direct = kernels.direct.renamingFunction(renamed)
            if var winograd = kernels.winograd {
                winograd.kernel = renamed(winograd.kernel, \.function)
                winograd.padding = renamed(winograd.padding, \.function)
                kernels.winograd = winograd
            }
            kernels.pointwise = kernels.pointwise.map { renamed($0, \.function) }
            kernels.activation = kernels.activation.map { renamed($0, \.function) }
            kernels.fused = kernels.fused.map { $0.renamingFunctions(renamed) }
            return .convolution(kernels)
        case .pooling(let kernel): return .pooling(renamed(kernel, \.function))
        case .globalPooling(let kernel): return .globalPooling(renamed(kernel, \.function))
        case .zeroPadding(let kernel): return .zeroPadding(renamed(kernel, \.function))
        case .cropping(let kernel): return .cropping(renamed(kernel, \.function))
        case .upSampling(let kernel): return .upSampling(renamed(kernel, \.function))
        case .resizing(let kernel): return .resizing(renamed(kernel, \.function))
        case .permute(let kernel): return .permute(renamed(kernel, \.function))
        case .repeatVector(let kernel): return .repeatVector(renamed(kernel, \.function))
        case .inPlace(let kernel): return .inPlace(renamed(kernel, \.function))
        case .merge(let kernel): return .merge(renamed(kernel, \.function))
        case .concatenate(let kernel): return .concatenate(renamed(kernel, \.function))
        case .nothing: return .nothing
        }
    }
}

extension DirectConvolution {
    /// The same kernel with its function's name renamed by `renamed`.
    func renamingFunction(_ renamed: (String) -> String) -> DirectConvolution {
        switch self {
        case .channelLanes(var kernel):
            kernel.function = renamed(kernel.function)
            return .channelLanes(kernel)
        case .pixelLanes(var kernel):
            kernel.function = renamed(kernel.function)
            return .pixelLanes(kernel)
        case .chunkLanes(var kernel):
            kernel.function = renamed(kernel.function)
            return .chunkLanes(kernel)
        case .pixelPairs(var kernel):
            kernel.function = renamed(kernel.function)
            return .pixelPairs(kernel)
        case .depthwise(var kernel):
            kernel.function = renamed(kernel.function)
            return .depthwise(kernel)
        case .transposed(var kernel):
            kernel.function = renamed(kernel.function)
            return .transposed(kernel)
        }
    }
}

extension FusedKernel {
    /// The same kernel with its function's name, and the products it calls, renamed by `renamed`.
    func renamingFunctions(_ renamed: (String) -> String) -> FusedKernel {
        switch self {
        case .direct(let kernel):
            return .direct(kernel.renamingFunction(renamed))
        case .winograd(var kernel):
            kernel.function = renamed(kernel.function)
            kernel.productsOf = kernel.productsOf.map(renamed)
            return .winograd(kernel)
        case .pointwise(var kernel):
            kernel.function = renamed(kernel.function)
            return .pointwise(kernel)
        }
    }
}
