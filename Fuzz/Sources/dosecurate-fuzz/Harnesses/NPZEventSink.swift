import NumpyFormat

/// What a caller does with a streamed `.npz`: reads every chunk the reader hands out (so
/// AddressSanitizer checks each byte), and unpickles the metadata member as a case load would.
enum NPZEventSink {
    static func consume(_ event: NPZStreamEvent) {
        switch event {
        case let .arrayStart(_, header), let .arrayEnd(_, header):
            Sink.consume(header.elementCount)
        case let .arrayChunk(_, _, elements, bytes):
            Sink.consume(elements.count)
            Sink.consume(bytes)
        case let .pickledObject(_, object):
            consume(object)
        }
    }

    static func consume(_ object: NPYPickledObject) {
        if let metadata = try? PickleDecoder().metadataDictionary(fromPickle: object.pickle) {
            Sink.consume(CanonicalJSON.encode(metadata))
        }
    }

    static func consume(_ content: NPZContent) {
        switch content {
        case let .array(array):
            array.forEachCanonicalChunk(maxChunkBytes: 4096) { Sink.consume($0) }
        case let .pickledObject(object):
            consume(object)
        }
    }
}
