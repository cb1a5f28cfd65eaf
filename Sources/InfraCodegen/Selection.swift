import Foundation

/// `codegen/resources.txt`: the resource types that get a generated class, one a line, each
/// optionally followed by the group whose file holds it (`AWS::EC2::VPC  Networking` goes to
/// `EC2.Networking.swift`; a type without a group goes to `EC2.swift`). `#` starts a comment.
/// Every pinned schema keeps its entry in `ResourceSpecs` whether it is selected or not.
struct Selection {
    /// Type name -> group (nil: the service's main file).
    let groups: [String: String?]

    /// Parses `text`; `file` names it in errors, `known` are the type names with a schema.
    init(_ text: String, file: String, known: Set<String>) throws {
        var groups: [String: String?] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.prefix { $0 != "#" }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if fields.isEmpty { continue }
            let at = "\(file):\(i + 1)"
            guard fields.count <= 2 else {
                throw JSONError(message: "\(at): expected 'AWS::Service::Type [Group]', got '\(line.trimmingCharacters(in: .whitespaces))'")
            }
            let type = fields[0]
            guard known.contains(type) else {
                throw JSONError(message: "\(at): no schema for \(type) in codegen/schemas")
            }
            guard groups[type] == nil else {
                throw JSONError(message: "\(at): \(type) is listed twice")
            }
            var group: String? = nil
            if fields.count == 2 {
                let g = fields[1]
                guard let first = g.unicodeScalars.first, first.properties.isUppercase,
                      g.unicodeScalars.allSatisfy({ ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) })
                else {
                    throw JSONError(message: "\(at): group '\(g)' must be a capitalized ASCII word (it names a file)")
                }
                group = g
            }
            groups[type] = .some(group)
        }
        guard !groups.isEmpty else { throw JSONError(message: "\(file): no resource types listed") }
        self.groups = groups
    }
}
