/// ``ThinWire`` on bytes: the export writes each line from the operation's stored canonical
/// bytes, and the import rebuilds the canonical bytes from the line, without a JSON tree either
/// way. Both are held to ``ThinWire/line(_:first:omitting:)`` and ``ThinWire/op(_:author:seq:previous:resolve:)``:
/// the tests compare them on generated operations, and the import checks each line against the
/// bytes form of the operation it restores (a line the byte reader does not take goes the JSON way).
///
/// A canonical operation reads `{"entity":"…","field":"…","hlc":"…","kind":"…","prev":"…",`
/// `"refs":["R:S:H",…],"replica":"…","seq":N,"value":V}`: every member but `value` is printable
/// ASCII without escapes, and `value` is last.
enum ThinWireBytes {
    /// The ranges of one canonical operation's members.
    struct Canonical {
        var entity: Range<Int>
        var field: Range<Int>
        var hlc: Range<Int>
        var kind: Range<Int>
        var prev: Range<Int>
        /// Per reference: its author, seq and hash digits.
        var refs: [(author: Range<Int>, seq: Range<Int>, hash: Range<Int>)]
        var replica: Range<Int>
        var seq: Range<Int>
        /// `V`, up to the closing brace.
        var value: Range<Int>
    }

    /// The members of canonical operation bytes, or nil when they do not have the encoder's shape.
    static func canonical(_ bytes: [UInt8]) -> Canonical? {
        var scan = Scanner(bytes: bytes)
        guard scan.take("{\"entity\":\""), let entity = scan.text(), scan.take(",\"field\":\""), let field = scan.text(),
              scan.take(",\"hlc\":\""), let hlc = scan.text(), scan.take(",\"kind\":\""), let kind = scan.text(),
              scan.take(",\"prev\":\""), let prev = scan.text(), scan.take(",\"refs\":["),
              let refs = scan.refs(requireAuthor: true, requireHash: true),
              scan.take(",\"replica\":\""), let replica = scan.text(), scan.take(",\"seq\":"), let seq = scan.digits(),
              scan.take(",\"value\":"), bytes.last == UInt8(ascii: "}"), scan.index < bytes.count - 1 else { return nil }
        return Canonical(entity: entity, field: field, hlc: hlc, kind: kind, prev: prev,
                         refs: refs.map { ($0.author ?? 0..<0, $0.seq, $0.hash ?? 0..<0) },
                         replica: replica, seq: seq, value: scan.index..<(bytes.count - 1))
    }

    /// The wire line of the canonical operation `bytes` (members `parts`), the `first` of its
    /// segment or not: references to `parts.replica` without the author, the others as
    /// `omissions` says. Equal to ``ThinWire/line(_:first:omitting:)`` for the same operation.
    static func line(_ bytes: [UInt8], _ parts: Canonical, first: Bool, omitting omissions: ThinWire.Omissions) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var opened = false
        func member(_ name: StaticString, _ range: Range<Int>, quoted: Bool = true) {
            out.append(opened ? UInt8(ascii: ",") : UInt8(ascii: "{"))
            opened = true
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: quoted ? [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "\"")] : [UInt8(ascii: "\""), UInt8(ascii: ":")])
            out.append(contentsOf: bytes[range])
            if quoted { out.append(UInt8(ascii: "\"")) }
        }
        if !omissions.entity { member("entity", parts.entity) }
        if !omissions.field { member("field", parts.field) }
        member("hlc", parts.hlc)
        member("kind", parts.kind)
        if first { member("prev", parts.prev) }
        out.append(contentsOf: Array(",\"refs\":[".utf8))
        let author = bytes[parts.replica]
        for (index, ref) in parts.refs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            if !bytes[ref.author].elementsEqual(author) { out.append(contentsOf: bytes[ref.author]) }
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: bytes[ref.seq])
            if !(index < omissions.refHashes.count && omissions.refHashes[index]) {
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: bytes[ref.hash])
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "]"))
        member("value", parts.value, quoted: false)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A wire line's members, when it has the byte reader's shape.
    struct Wire {
        var entity: Range<Int>?
        var field: Range<Int>?
        var hlc: Range<Int>
        var kind: Range<Int>
        var prev: Range<Int>?
        var refs: [(author: Range<Int>?, seq: Range<Int>, hash: Range<Int>?)]
        var value: Range<Int>
    }

    static func wire(_ line: [UInt8]) -> Wire? {
        var scan = Scanner(bytes: line)
        guard scan.take("{") else { return nil }
        var entity: Range<Int>?
        var field: Range<Int>?
        if scan.take("\"entity\":\"") {
            guard let range = scan.text(), scan.take(",") else { return nil }
            entity = range
        }
        if scan.take("\"field\":\"") {
            guard let range = scan.text(), scan.take(",") else { return nil }
            field = range
        }
        guard scan.take("\"hlc\":\""), let hlc = scan.text(), scan.take(",\"kind\":\""), let kind = scan.text() else { return nil }
        var prev: Range<Int>?
        if scan.take(",\"prev\":\"") {
            guard let range = scan.text() else { return nil }
            prev = range
        }
        guard scan.take(",\"refs\":["), let refs = scan.refs(requireAuthor: false, requireHash: false),
              scan.take(",\"value\":"), line.last == UInt8(ascii: "}"), scan.index < line.count - 1 else { return nil }
        return Wire(entity: entity, field: field, hlc: hlc, kind: kind, prev: prev, refs: refs, value: scan.index..<(line.count - 1))
    }

    /// The canonical bytes a wire line restores, given the segment's author (hex), the seq, the
    /// previous line's hash (nil on the first line), and what each reference's target is;
    /// with what the line left out. Nil when the line has no byte shape; throws
    /// ``ThinWire/Unresolved`` for a target `resolve` does not give.
    static func restore(_ line: [UInt8], _ parts: Wire, author: ReplicaID, seq: Int64, previousHash: String?,
                        resolve: (OpID) throws -> ThinWire.Target?) throws -> (canonical: [UInt8], omissions: ThinWire.Omissions)? {
        var omissions = ThinWire.Omissions()
        var refs = [[UInt8]]()
        var firstTarget: OpID?
        for ref in parts.refs {
            let authorHex = ref.author.map { Array(line[$0]) } ?? Array(author.hex.utf8)
            guard let replica = ReplicaID(hex: String(decoding: authorHex, as: UTF8.self)),
                  let target = Int64(String(decoding: line[ref.seq], as: UTF8.self)).map({ OpID(replica: replica, seq: $0) })
            else { return nil }
            if firstTarget == nil { firstTarget = target }
            var text = authorHex + [UInt8(ascii: ":")] + Array(line[ref.seq]) + [UInt8(ascii: ":")]
            if let hash = ref.hash {
                text += line[hash]
                omissions.refHashes.append(false)
            } else {
                guard let held = try resolve(target) else { throw ThinWire.Unresolved(target: target) }
                text += Array(held.hash.utf8.prefix(16))
                omissions.refHashes.append(true)
            }
            refs.append(text)
        }
        var entity = parts.entity.map { Array(line[$0]) }
        var field = parts.field.map { Array(line[$0]) }
        if entity == nil || field == nil {
            guard let target = firstTarget else { return nil }
            guard let held = try resolve(target) else { throw ThinWire.Unresolved(target: target) }
            if entity == nil {
                entity = Array(held.entity.utf8)
                omissions.entity = true
            }
            if field == nil {
                field = Array(held.field.utf8)
                omissions.field = true
            }
        }
        guard (parts.prev == nil) == (previousHash != nil) else { return nil }
        let prev = parts.prev.map { Array(line[$0]) } ?? Array((previousHash ?? "").utf8)
        var out = [UInt8]()
        out.reserveCapacity(line.count + 256)
        out += Array("{\"entity\":\"".utf8) + (entity ?? []) + Array("\",\"field\":\"".utf8) + (field ?? [])
        out += Array("\",\"hlc\":\"".utf8) + line[parts.hlc] + Array("\",\"kind\":\"".utf8) + line[parts.kind]
        out += Array("\",\"prev\":\"".utf8) + prev + Array("\",\"refs\":[".utf8)
        for (index, ref) in refs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out += ref
            out.append(UInt8(ascii: "\""))
        }
        out += Array("],\"replica\":\"".utf8) + Array(author.hex.utf8) + Array("\",\"seq\":".utf8) + Array(String(seq).utf8)
        out += Array(",\"value\":".utf8) + line[parts.value] + [UInt8(ascii: "}")]
        return (out, omissions)
    }

    /// A cursor over canonical or wire bytes.
    private struct Scanner {
        var reader: FastReader
        var index: Int { reader.index }

        init(bytes: [UInt8]) {
            reader = FastReader(bytes: bytes)
        }

        mutating func take(_ literal: StaticString) -> Bool { reader.take(literal) }
        mutating func text() -> Range<Int>? { reader.textRange() }

        mutating func digits() -> Range<Int>? {
            let start = reader.index
            let bytes = reader.bytes
            while reader.index < bytes.count, bytes[reader.index] >= UInt8(ascii: "0"), bytes[reader.index] <= UInt8(ascii: "9") {
                reader.index += 1
            }
            return reader.index > start ? start..<reader.index : nil
        }

        /// The references after `[`, up to and with `]`: each `"[author]:seq[:hash]"`.
        mutating func refs(requireAuthor: Bool, requireHash: Bool) -> [(author: Range<Int>?, seq: Range<Int>, hash: Range<Int>?)]? {
            var out = [(author: Range<Int>?, seq: Range<Int>, hash: Range<Int>?)]()
            if take("]") { return out }
            repeat {
                guard out.count < Op.maximumReferences, take("\""), let text = text() else { return nil }
                var colons = [Int]()
                for position in text where reader.bytes[position] == UInt8(ascii: ":") { colons.append(position) }
                guard colons.count == 1 || colons.count == 2 else { return nil }
                let author = text.lowerBound..<colons[0]
                let seqEnd = colons.count == 2 ? colons[1] : text.upperBound
                let seq = (colons[0] + 1)..<seqEnd
                let hash = colons.count == 2 ? (colons[1] + 1)..<text.upperBound : nil
                guard !seq.isEmpty, !(requireAuthor && author.isEmpty), !(requireHash && hash == nil) else { return nil }
                out.append((author.isEmpty ? nil : author, seq, hash))
            } while take(",")
            return take("]") ? out : nil
        }
    }
}
