import Foundation

/// A small, strict XML reader for AWS answers, written here because Foundation's `XMLParser` on
/// Linux traps (SIGILL) on invalid bytes in an element name: whatever the network delivers must
/// end in a tree or an error, never a crash.
///
/// AWS answers are simple XML: a declaration, elements with attributes (namespaces), text,
/// the five predefined entities and character references, CDATA, comments. That is what this
/// reads; a DTD (`<!DOCTYPE`) is refused, and so are invalid UTF-8, unknown entities, mismatched
/// or unclosed tags, a second root, and nesting deeper than 256. It never recurses, so no input
/// can exhaust the stack. Element names lose their namespace prefix (`s3:Key` is `Key`);
/// attributes are checked and dropped (no AWS answer infra reads needs them).
enum XMLReader {
    static let maximumDepth = 256

    static func parse(_ data: Data) throws -> XMLTree {
        let bytes = [UInt8](data)
        guard bytes.contains(where: { !isSpace($0) }) else {
            throw XMLTree.ParseError(description: "empty XML document")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw XMLTree.ParseError(description: "malformed XML: not valid UTF-8")
        }
        var reader = Cursor(bytes: bytes)
        return try reader.document()
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x3A || b >= 0x80
    }

    static func isNameChar(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E
    }

    private struct Cursor {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // a UTF-8 byte order mark
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        func fail(_ message: String) -> XMLTree.ParseError {
            let line = bytes[0..<min(i, bytes.count)].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            return XMLTree.ParseError(description: "malformed XML (line \(line), byte \(i)): \(message)")
        }

        var atEnd: Bool { i >= bytes.count }

        func peek(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= bytes.count && bytes[i..<(i + u.count)].elementsEqual(u)
        }

        mutating func expect(_ s: String) throws {
            guard peek(s) else { throw fail("expected '\(s)'") }
            i += s.utf8.count
        }

        mutating func skipSpace() {
            while i < bytes.count, XMLReader.isSpace(bytes[i]) { i += 1 }
        }

        /// Skips to just after `terminator`; fails when the document ends first.
        mutating func skip(past terminator: String, what: String) throws -> Range<Int> {
            let t = Array(terminator.utf8)
            var j = i
            while j + t.count <= bytes.count {
                if bytes[j] == t[0] && bytes[j..<(j + t.count)].elementsEqual(t) {
                    let range = i..<j
                    i = j + t.count
                    return range
                }
                j += 1
            }
            i = bytes.count
            throw fail("unterminated \(what)")
        }

        mutating func name() throws -> String {
            guard i < bytes.count, XMLReader.isNameStart(bytes[i]) else {
                throw fail(i < bytes.count ? "invalid character in a name (byte 0x\(String(bytes[i], radix: 16)))"
                                           : "document ends inside a tag")
            }
            let start = i
            while i < bytes.count, XMLReader.isNameChar(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        /// Comments, processing instructions and whitespace (outside the root or between children).
        mutating func miscellany() throws -> Bool {
            if peek("<!--") {
                i += 4
                let body = try skip(past: "-->", what: "comment")
                if bytes[body].indices.contains(where: { $0 + 1 < body.upperBound && bytes[$0] == 0x2D && bytes[$0 + 1] == 0x2D }) {
                    throw fail("'--' inside a comment")
                }
                return true
            }
            if peek("<?") {
                i += 2
                _ = try name()
                _ = try skip(past: "?>", what: "processing instruction")
                return true
            }
            if peek("<!DOCTYPE") || peek("<!ENTITY") { throw fail("DTDs are not accepted") }
            return false
        }

        mutating func document() throws -> XMLTree {
            skipSpace()
            while try miscellany() { skipSpace() }
            guard peek("<") else { throw fail(atEnd ? "no root element" : "text before the root element") }
            let root = try element()
            skipSpace()
            while try miscellany() { skipSpace() }
            guard atEnd else { throw fail(peek("<") ? "more than one root element" : "text after the root element") }
            return root
        }

        /// Reads `<name attr="v" ...>` or `<name/>`; returns the qualified name and whether it closed.
        mutating func startTag() throws -> (String, Bool) {
            try expect("<")
            let qname = try name()
            var seen: Set<String> = []
            while true {
                let hadSpace = i < bytes.count && XMLReader.isSpace(bytes[i])
                skipSpace()
                guard i < bytes.count else { throw fail("document ends inside <\(qname)>") }
                if peek("/>") { i += 2; return (qname, true) }
                if peek(">") { i += 1; return (qname, false) }
                guard hadSpace else { throw fail("expected whitespace before an attribute of <\(qname)>") }
                let attribute = try name()
                guard seen.insert(attribute).inserted else { throw fail("attribute \(attribute) repeated") }
                skipSpace()
                try expect("=")
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x22 || bytes[i] == 0x27 else {
                    throw fail("attribute \(attribute) has no quoted value")
                }
                let quote = bytes[i]
                i += 1
                let start = i
                while i < bytes.count, bytes[i] != quote {
                    if bytes[i] == 0x3C { throw fail("'<' in an attribute value") }
                    i += 1
                }
                guard i < bytes.count else { throw fail("unterminated attribute value") }
                _ = try decodeText(start..<i)  // checks its entities
                i += 1
            }
        }

        mutating func element() throws -> XMLTree {
            struct Open { var qname: String; var node: XMLTree }
            var stack: [Open] = []
            let (rootName, rootClosed) = try startTag()
            if rootClosed { return XMLTree(name: Self.localName(rootName)) }
            stack.append(Open(qname: rootName, node: XMLTree(name: Self.localName(rootName))))
            while true {
                guard !atEnd else { throw fail("document ends inside <\(stack.last!.qname)>") }
                if peek("</") {
                    i += 2
                    let qname = try name()
                    skipSpace()
                    try expect(">")
                    var open = stack.removeLast()
                    guard open.qname == qname else { throw fail("</\(qname)> closes <\(open.qname)>") }
                    if !open.node.children.isEmpty {
                        open.node.text = open.node.text.trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                    if stack.isEmpty { return open.node }
                    stack[stack.count - 1].node.children.append(open.node)
                } else if peek("<![CDATA[") {
                    i += 9
                    let range = try skip(past: "]]>", what: "CDATA section")
                    stack[stack.count - 1].node.text += Self.normalizeNewlines(String(decoding: bytes[range], as: UTF8.self))
                } else if try miscellany() {
                    continue
                } else if peek("<!") {
                    throw fail("unexpected markup declaration")
                } else if peek("<") {
                    let (qname, closed) = try startTag()
                    let node = XMLTree(name: Self.localName(qname))
                    if closed {
                        stack[stack.count - 1].node.children.append(node)
                    } else {
                        guard stack.count < XMLReader.maximumDepth else {
                            throw fail("elements nested deeper than \(XMLReader.maximumDepth)")
                        }
                        stack.append(Open(qname: qname, node: node))
                    }
                } else {
                    let start = i
                    while i < bytes.count, bytes[i] != 0x3C { i += 1 }
                    stack[stack.count - 1].node.text += try decodeText(start..<i)
                }
            }
        }

        /// Text with entities and character references replaced, line ends normalized.
        func decodeText(_ range: Range<Int>) throws -> String {
            var out = [UInt8]()
            out.reserveCapacity(range.count)
            var j = range.lowerBound
            while j < range.upperBound {
                let b = bytes[j]
                if b == 0x26 {  // &
                    guard let semicolon = bytes[j..<range.upperBound].firstIndex(of: 0x3B), semicolon - j <= 12 else {
                        throw fail("'&' without an entity")
                    }
                    let entity = String(decoding: bytes[(j + 1)..<semicolon], as: UTF8.self)
                    switch entity {
                    case "lt": out.append(0x3C)
                    case "gt": out.append(0x3E)
                    case "amp": out.append(0x26)
                    case "quot": out.append(0x22)
                    case "apos": out.append(0x27)
                    default:
                        guard entity.hasPrefix("#"), let scalar = Self.characterReference(entity.dropFirst()) else {
                            throw fail("unknown entity &\(entity);")
                        }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    }
                    j = semicolon + 1
                } else if b == 0x0D {
                    out.append(0x0A)
                    j += (j + 1 < range.upperBound && bytes[j + 1] == 0x0A) ? 2 : 1
                } else if b < 0x20 && b != 0x09 && b != 0x0A {
                    throw fail("control character 0x\(String(b, radix: 16)) in text")
                } else {
                    out.append(b)
                    j += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        static func characterReference(_ text: Substring) -> Unicode.Scalar? {
            let value: UInt32?
            if text.hasPrefix("x") {
                value = UInt32(text.dropFirst(), radix: 16)
            } else {
                value = UInt32(text, radix: 10)
            }
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
            return scalar
        }

        static func localName(_ qname: String) -> String {
            guard let colon = qname.lastIndex(of: ":") else { return qname }
            let local = String(qname[qname.index(after: colon)...])
            return local.isEmpty ? qname : local
        }

        static func normalizeNewlines(_ s: String) -> String {
            s.contains("\r") ? s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") : s
        }
    }
}
