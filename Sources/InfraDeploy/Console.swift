import Foundation

/// Where the deployer writes and how it asks questions. The real one is the terminal; tests
/// record.
public protocol DeployConsole: AnyObject, Sendable {
    /// Standard output is a terminal: live progress may redraw in place.
    var isTerminal: Bool { get }
    /// A person can answer questions (standard input and output are terminals).
    var isInteractive: Bool { get }
    /// A line on standard output.
    func out(_ line: String)
    /// A line on standard error.
    func err(_ line: String)
    /// Raw text on standard output (ANSI redraws), no newline added.
    func raw(_ text: String)
    /// Asks a yes/no question; false unless the answer is yes.
    func confirm(_ question: String) -> Bool
}

/// The process's terminal.
public final class StandardConsole: DeployConsole, @unchecked Sendable {
    private let lock = NSLock()
    public let isTerminal: Bool
    public let isInteractive: Bool

    public init() {
        isTerminal = isatty(STDOUT_FILENO) == 1
        isInteractive = isTerminal && isatty(STDIN_FILENO) == 1
    }

    public func out(_ line: String) {
        lock.withLock { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }

    public func err(_ line: String) {
        lock.withLock { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public func raw(_ text: String) {
        lock.withLock { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    public func confirm(_ question: String) -> Bool {
        lock.withLock {
            FileHandle.standardOutput.write(Data("\(question) [y/N] ".utf8))
            guard let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased()
            else { return false }
            return answer == "y" || answer == "yes"
        }
    }
}

/// ANSI styling, used only when writing to a terminal.
enum ANSI {
    static func bold(_ s: String, _ on: Bool) -> String { on ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    static func red(_ s: String, _ on: Bool) -> String { on ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
    static func green(_ s: String, _ on: Bool) -> String { on ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
    static func yellow(_ s: String, _ on: Bool) -> String { on ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
    static let clearLine = "\u{1B}[2K\r"
    static func up(_ n: Int) -> String { n > 0 ? "\u{1B}[\(n)A" : "" }
}
