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

/// The process's terminal (or whatever standard output and error are: a pipe, a file).
///
/// Writes never end the process: SIGPIPE is ignored (`ProcessSignals.ignoreBrokenPipes()`, done
/// by the `infra` executable), and a write that fails (`EPIPE` when the reader is gone, as in
/// `infra deploy | head`; a full disk) makes that stream go quiet while the deploy carries on
/// and exits with its own status.
public final class StandardConsole: DeployConsole, @unchecked Sendable {
    private let lock = NSLock()
    public let isTerminal: Bool
    public let isInteractive: Bool
    private let outFD: Int32
    private let errFD: Int32
    private var outClosed = false
    private var errClosed = false

    public convenience init() {
        self.init(output: STDOUT_FILENO, error: STDERR_FILENO)
    }

    /// A console on other descriptors (tests).
    public init(output: Int32, error: Int32) {
        outFD = output
        errFD = error
        isTerminal = isatty(output) == 1
        isInteractive = isTerminal && isatty(STDIN_FILENO) == 1
    }

    /// Standard output failed (its reader went away): nothing more is written to it.
    public var outputClosed: Bool { lock.withLock { outClosed } }
    public var errorClosed: Bool { lock.withLock { errClosed } }

    public func out(_ line: String) {
        lock.withLock { write(line + "\n", toError: false) }
    }

    public func err(_ line: String) {
        lock.withLock { write(line + "\n", toError: true) }
    }

    public func raw(_ text: String) {
        lock.withLock { write(text, toError: false) }
    }

    public func confirm(_ question: String) -> Bool {
        lock.withLock {
            write("\(question) [y/N] ", toError: false)
            guard let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased()
            else { return false }
            return answer == "y" || answer == "yes"
        }
    }

    /// Writes all of `text`, retrying short writes and EINTR; on any other error the stream is
    /// marked closed and later writes are dropped. Called with the lock held.
    private func write(_ text: String, toError: Bool) {
        if toError ? errClosed : outClosed { return }
        let ok = Self.writeAll(toError ? errFD : outFD, Array(text.utf8))
        if !ok {
            if toError { errClosed = true } else { outClosed = true }
        }
    }

    /// `write(2)` until everything is written; false on an error (EPIPE, EBADF, ENOSPC, ...).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBufferPointer { buffer in
                #if canImport(Glibc)
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            offset += n
        }
        return true
    }
}

/// Process-wide signal settings of the `infra` executable.
public enum ProcessSignals {
    /// Ignores SIGPIPE, so a closed pipe on standard output (`infra deploy | head`, a CI log
    /// collector that went away) is a failed write (`EPIPE`, handled by `StandardConsole`) instead
    /// of the end of the process in the middle of a deploy. Child processes (docker) get the
    /// default disposition back at exec.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
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
