import Engine

/// Input: a `.safetensors` checkpoint. Decodes it; a file that decodes must encode and decode
/// back to the same tensors (compared bit for bit, so NaN weights compare equal).
enum SafeTensorsHarness {
    static func run(_ bytes: [UInt8]) {
        guard let weights = try? SafeTensors.decode(bytes, file: "fuzz.safetensors") else { return }
        guard let again = try? SafeTensors.decode(weights.encoded(), file: "fuzz.safetensors"),
              again.metadata == weights.metadata, sameBits(again.tensors, weights.tensors) else {
            fatalError("safetensors: decode(encoded()) differs from the decoded file")
        }
    }

    private static func sameBits(_ lhs: [String: Tensor], _ rhs: [String: Tensor]) -> Bool {
        guard lhs.keys.sorted() == rhs.keys.sorted() else { return false }
        return lhs.allSatisfy { name, tensor in
            guard let other = rhs[name], other.shape == tensor.shape else { return false }
            return other.elements.map(\.bitPattern) == tensor.elements.map(\.bitPattern)
        }
    }
}
