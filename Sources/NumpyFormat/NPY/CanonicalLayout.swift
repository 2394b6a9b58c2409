/// Turns array data as stored (either byte order, C or Fortran order) into canonical elements:
/// little-endian, logical C order — the order callers see and identity hashes cover.
enum CanonicalLayout {
    /// Writes canonical elements `[start, start + count)` (C-order indices) of the stored data into
    /// `destination`, which must hold `count * itemSize` bytes.
    static func copy(from stored: UnsafeRawBufferPointer, header: NPYHeader, start: Int, count: Int,
                     into destination: UnsafeMutableRawPointer) {
        guard count > 0 else { return }
        let itemSize = header.dtype.itemSize
        let swap = header.dtype.needsByteSwap
        if !header.needsReordering {
            guard let base = stored.baseAddress else { return }
            destination.copyMemory(from: base + start * itemSize, byteCount: count * itemSize)
            if swap { swapInPlace(destination, count: count, itemSize: itemSize) }
            return
        }
        switch itemSize {
        case 1: gatherFortran(UInt8.self, stored, header.shape, start, count, destination, swap: false)
        case 2: gatherFortran(UInt16.self, stored, header.shape, start, count, destination, swap: swap)
        case 4: gatherFortran(UInt32.self, stored, header.shape, start, count, destination, swap: swap)
        default: gatherFortran(UInt64.self, stored, header.shape, start, count, destination, swap: swap)
        }
    }

    static func swapInPlace(_ pointer: UnsafeMutableRawPointer, count: Int, itemSize: Int) {
        switch itemSize {
        case 2: swapWords(pointer.bindMemory(to: UInt16.self, capacity: count), count)
        case 4: swapWords(pointer.bindMemory(to: UInt32.self, capacity: count), count)
        case 8: swapWords(pointer.bindMemory(to: UInt64.self, capacity: count), count)
        default: break
        }
    }

    private static func swapWords<Word: FixedWidthInteger>(_ words: UnsafeMutablePointer<Word>, _ count: Int) {
        for index in 0..<count { words[index] = words[index].byteSwapped }
    }

    /// Fortran order stores axis 0 fastest. Walk the C-order indices with an odometer and read
    /// each run along the last axis with the source's (large) stride for that axis.
    private static func gatherFortran<Word: FixedWidthInteger>(
        _: Word.Type, _ stored: UnsafeRawBufferPointer, _ shape: [Int], _ start: Int, _ count: Int,
        _ destination: UnsafeMutableRawPointer, swap: Bool
    ) {
        let source = stored.bindMemory(to: Word.self)
        let target = destination.bindMemory(to: Word.self, capacity: count)
        let axes = shape.count
        var strides = [Int](repeating: 1, count: axes)
        for axis in 1..<axes { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        var index = [Int](repeating: 0, count: axes)
        var remainder = start
        var offset = 0
        for axis in (0..<axes).reversed() {
            index[axis] = remainder % shape[axis]
            remainder /= shape[axis]
            offset += index[axis] * strides[axis]
        }
        let last = axes - 1
        let innerStride = strides[last], innerLength = shape[last]
        var written = 0
        while written < count {
            let run = min(innerLength - index[last], count - written)
            if swap {
                for step in 0..<run { target[written + step] = source[offset + step * innerStride].byteSwapped }
            } else {
                for step in 0..<run { target[written + step] = source[offset + step * innerStride] }
            }
            written += run
            index[last] += run
            offset += run * innerStride
            guard index[last] == innerLength else { continue }
            offset -= innerLength * innerStride
            index[last] = 0
            var axis = last - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= shape[axis] * strides[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
