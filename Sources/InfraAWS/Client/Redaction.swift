import Foundation

/// Redaction of secrets in log lines.
enum Redaction {
    static let secretHeaders: Set<String> = ["x-amz-security-token", "x-aws-ec2-metadata-token"]

    static func headers(_ headers: HTTPHeaders) -> String {
        let parts = headers.map { field -> String in
            let lower = field.name.lowercased()
            if lower == "authorization" {
                // keep the algorithm, scope and signed header names; drop key id and signature
                let value = field.value
                    .replacingOccurrences(of: #"Credential=[^/,]+"#, with: "Credential=<redacted>",
                                          options: .regularExpression)
                    .replacingOccurrences(of: #"Signature=[0-9a-fA-F]+"#, with: "Signature=<redacted>",
                                          options: .regularExpression)
                return "\(field.name)=\"\(value)\""
            }
            if secretHeaders.contains(lower) { return "\(field.name)=<redacted>" }
            return "\(field.name)=\"\(field.value)\""
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}

extension URL {
    /// The URL with presigned secrets (`X-Amz-Signature`, `X-Amz-Security-Token`, `X-Amz-Credential`) redacted.
    var redactedForLog: String {
        let text = absoluteString
        guard let q = text.firstIndex(of: "?") else { return text }
        let redacted: Set<String> = ["x-amz-signature", "x-amz-security-token", "x-amz-credential"]
        let query = text[text.index(after: q)...].split(separator: "&").map { pair -> String in
            let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return redacted.contains(key.lowercased()) ? "\(key)=<redacted>" : String(pair)
        }
        return text[...q] + query.joined(separator: "&")
    }
}
