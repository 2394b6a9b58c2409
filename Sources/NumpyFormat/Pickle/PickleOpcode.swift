/// Every opcode of pickle protocols 0–5, by its byte (CPython `Lib/pickle.py`).
/// Having the full table lets the decoder tell "not a pickle opcode" (corrupt input) from
/// "a real opcode dosecurate refuses" (persistent ids, extension codes, INST/OBJ).
enum PickleOpcode: UInt8, Sendable {
    // Protocol 0 and 1
    case mark = 0x28             // (
    case stop = 0x2E             // .
    case pop = 0x30              // 0
    case popMark = 0x31          // 1
    case dup = 0x32              // 2
    case float = 0x46            // F
    case int = 0x49              // I
    case binInt = 0x4A           // J
    case binInt1 = 0x4B          // K
    case long = 0x4C             // L
    case binInt2 = 0x4D          // M
    case none = 0x4E             // N
    case persistentID = 0x50     // P
    case binPersistentID = 0x51  // Q
    case reduce = 0x52           // R
    case string = 0x53           // S
    case binString = 0x54        // T
    case shortBinString = 0x55   // U
    case unicode = 0x56          // V
    case binUnicode = 0x58       // X
    case append = 0x61           // a
    case build = 0x62            // b
    case global = 0x63           // c
    case dict = 0x64             // d
    case emptyDict = 0x7D        // }
    case appends = 0x65          // e
    case get = 0x67              // g
    case binGet = 0x68           // h
    case inst = 0x69             // i
    case longBinGet = 0x6A       // j
    case list = 0x6C             // l
    case emptyList = 0x5D        // ]
    case obj = 0x6F              // o
    case put = 0x70              // p
    case binPut = 0x71           // q
    case longBinPut = 0x72       // r
    case setItem = 0x73          // s
    case tuple = 0x74            // t
    case emptyTuple = 0x29       // )
    case setItems = 0x75         // u
    case binFloat = 0x47         // G
    // Protocol 2
    case proto = 0x80
    case newObj = 0x81
    case ext1 = 0x82
    case ext2 = 0x83
    case ext4 = 0x84
    case tuple1 = 0x85
    case tuple2 = 0x86
    case tuple3 = 0x87
    case newTrue = 0x88
    case newFalse = 0x89
    case long1 = 0x8A
    case long4 = 0x8B
    // Protocol 3
    case binBytes = 0x42         // B
    case shortBinBytes = 0x43    // C
    // Protocol 4
    case shortBinUnicode = 0x8C
    case binUnicode8 = 0x8D
    case binBytes8 = 0x8E
    case emptySet = 0x8F
    case addItems = 0x90
    case frozenSet = 0x91
    case newObjEx = 0x92
    case stackGlobal = 0x93
    case memoize = 0x94
    case frame = 0x95
    // Protocol 5
    case byteArray8 = 0x96
    case nextBuffer = 0x97
    case readonlyBuffer = 0x98

    /// The name `pickletools` uses, for error messages a Python user can look up.
    var name: String {
        switch self {
        case .mark: return "MARK"
        case .stop: return "STOP"
        case .pop: return "POP"
        case .popMark: return "POP_MARK"
        case .dup: return "DUP"
        case .float: return "FLOAT"
        case .int: return "INT"
        case .binInt: return "BININT"
        case .binInt1: return "BININT1"
        case .long: return "LONG"
        case .binInt2: return "BININT2"
        case .none: return "NONE"
        case .persistentID: return "PERSID"
        case .binPersistentID: return "BINPERSID"
        case .reduce: return "REDUCE"
        case .string: return "STRING"
        case .binString: return "BINSTRING"
        case .shortBinString: return "SHORT_BINSTRING"
        case .unicode: return "UNICODE"
        case .binUnicode: return "BINUNICODE"
        case .append: return "APPEND"
        case .build: return "BUILD"
        case .global: return "GLOBAL"
        case .dict: return "DICT"
        case .emptyDict: return "EMPTY_DICT"
        case .appends: return "APPENDS"
        case .get: return "GET"
        case .binGet: return "BINGET"
        case .inst: return "INST"
        case .longBinGet: return "LONG_BINGET"
        case .list: return "LIST"
        case .emptyList: return "EMPTY_LIST"
        case .obj: return "OBJ"
        case .put: return "PUT"
        case .binPut: return "BINPUT"
        case .longBinPut: return "LONG_BINPUT"
        case .setItem: return "SETITEM"
        case .tuple: return "TUPLE"
        case .emptyTuple: return "EMPTY_TUPLE"
        case .setItems: return "SETITEMS"
        case .binFloat: return "BINFLOAT"
        case .proto: return "PROTO"
        case .newObj: return "NEWOBJ"
        case .ext1: return "EXT1"
        case .ext2: return "EXT2"
        case .ext4: return "EXT4"
        case .tuple1: return "TUPLE1"
        case .tuple2: return "TUPLE2"
        case .tuple3: return "TUPLE3"
        case .newTrue: return "NEWTRUE"
        case .newFalse: return "NEWFALSE"
        case .long1: return "LONG1"
        case .long4: return "LONG4"
        case .binBytes: return "BINBYTES"
        case .shortBinBytes: return "SHORT_BINBYTES"
        case .shortBinUnicode: return "SHORT_BINUNICODE"
        case .binUnicode8: return "BINUNICODE8"
        case .binBytes8: return "BINBYTES8"
        case .emptySet: return "EMPTY_SET"
        case .addItems: return "ADDITEMS"
        case .frozenSet: return "FROZENSET"
        case .newObjEx: return "NEWOBJ_EX"
        case .stackGlobal: return "STACK_GLOBAL"
        case .memoize: return "MEMOIZE"
        case .frame: return "FRAME"
        case .byteArray8: return "BYTEARRAY8"
        case .nextBuffer: return "NEXT_BUFFER"
        case .readonlyBuffer: return "READONLY_BUFFER"
        }
    }
}
