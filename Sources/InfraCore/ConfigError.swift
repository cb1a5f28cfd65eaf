import Foundation

/// A configuration problem: names the file, the key (and the line and column for JSON syntax
/// errors). The CLI exits with code 2 on it and writes nothing.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let key: String?
    public let message: String
    /// The other problems found in the same run (a file's errors are collected, not only the first).
    public var also: [ConfigError] = []

    public init(file: String, key: String?, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    /// This problem and the others found with it, each without `also`.
    public var all: [ConfigError] {
        var first = self
        first.also = []
        return [first] + also.flatMap(\.all)
    }

    /// One error holding all of `errors` (nil when there are none).
    public static func collecting(_ errors: [ConfigError]) -> ConfigError? {
        let flat = errors.flatMap(\.all)
        guard var first = flat.first else { return nil }
        first.also = Array(flat.dropFirst())
        return first
    }

    /// One problem per line (the first line is this one).
    public var description: String {
        ([single] + also.map(\.description)).joined(separator: "\n")
    }

    private var single: String {
        if let key { return "\(file): key '\(key)': \(message)" }
        return "\(file): \(message)"
    }
}
