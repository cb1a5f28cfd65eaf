import Foundation

/// A parsed XML element: name (without namespace prefix), text, children. Every rest-xml and
/// query response goes through `XMLTree.parse`, which rejects empty, truncated and malformed
/// documents with an error.
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

    /// Parses an AWS answer with `XMLReader` (written here; Foundation's XMLParser traps on invalid
    /// bytes in an element name, taking the process down). Any bytes end in a tree or a `ParseError`.
    public static func parse(_ data: Data) throws -> XMLTree {
        try XMLReader.parse(data)
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
}
