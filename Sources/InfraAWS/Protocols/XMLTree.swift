import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: name (without namespace prefix), text, children. Every rest-xml and
/// query response goes through `XMLTree.parse`, which rejects what FoundationXML lets through
/// (empty, truncated or malformed documents make `XMLParser.parse()` return true on Linux).
public struct XMLTree: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLTree]

    public init(name: String, text: String = "", children: [XMLTree] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ data: Data) throws -> XMLTree {
        guard data.contains(where: { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }) else {
            throw ParseError(description: "empty XML document")
        }
        let delegate = Builder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let ok = parser.parse()
        if let error = parser.parserError ?? delegate.error {
            throw ParseError(description: "malformed XML (line \(parser.lineNumber)): \(error.localizedDescription)")
        }
        guard ok, let root = delegate.root, delegate.stack.isEmpty else {
            throw ParseError(description: "truncated or malformed XML document")
        }
        return root
    }

    // MARK: Navigation

    /// The first child with this name.
    public func child(_ name: String) -> XMLTree? {
        children.first { $0.name == name }
    }

    public func children(_ name: String) -> [XMLTree] {
        children.filter { $0.name == name }
    }

    /// Follows a `/`-separated path of child names.
    public subscript(path path: String) -> XMLTree? {
        var node: XMLTree? = self
        for part in path.split(separator: "/") {
            node = node?.child(String(part))
        }
        return node
    }

    /// The text at a path, or nil when the element is absent.
    public func string(_ path: String) -> String? {
        self[path: path]?.text
    }

    public func int(_ path: String) -> Int? {
        string(path).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    public func bool(_ path: String) -> Bool? {
        string(path).map { $0.trimmingCharacters(in: .whitespaces).lowercased() == "true" }
    }

    public func date(_ path: String) -> Date? {
        string(path).flatMap(AWSDate.parseISO8601)
    }

    /// The `<member>` elements of a query-protocol list at `path`.
    public func members(_ path: String) -> [XMLTree] {
        self[path: path]?.children("member") ?? []
    }

    /// First descendant (depth-first, including self) with this name.
    public func find(_ name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children {
            if let found = child.find(name) { return found }
        }
        return nil
    }

    // MARK: Writing

    /// Serializes with escaped text (no pretty-printing).
    public func xmlString(namespace: String? = nil) -> String {
        var out = ""
        write(to: &out, namespace: namespace)
        return out
    }

    private func write(to out: inout String, namespace: String?) {
        out += "<\(name)"
        if let namespace { out += " xmlns=\"\(Self.escape(namespace))\"" }
        out += ">"
        if children.isEmpty {
            out += Self.escape(text)
        } else {
            for child in children { child.write(to: &out, namespace: nil) }
        }
        out += "</\(name)>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var root: XMLTree?
        var error: Error?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            if root != nil && stack.isEmpty {
                error = ParseError(description: "more than one root element")
                parser.abortParsing()
                return
            }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(XMLTree(name: local))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?) {
            guard var node = stack.popLast() else { return }
            if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            if error == nil { error = parseError }
        }
    }
}
