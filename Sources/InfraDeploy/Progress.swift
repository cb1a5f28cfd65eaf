import Foundation
import InfraAWS
import InfraContract

/// How live progress is shown.
public enum ProgressStyle: String, Sendable, CaseIterable {
    /// A block per stack redrawn in place: a bar, counts, the resources in progress (terminals).
    case bar
    /// One line per resource event (CI logs, anything that is not a terminal).
    case events
}

/// The deployer's output: permanent lines and live progress, safe to use from concurrent
/// stack deployments. In `bar` mode permanent lines are printed above the live block, which is
/// redrawn below them.
public final class DeployOutput: @unchecked Sendable {
    public let console: any DeployConsole
    public let style: ProgressStyle
    private let lock = NSLock()
    private var order: [String] = []
    private var boards: [String: Board] = [:]
    private var drawnLines = 0
    private let color: Bool

    /// `style` nil: `bar` on a terminal, else `events`. `bar` needs a terminal; elsewhere it
    /// falls back to `events`.
    public init(console: any DeployConsole, style: ProgressStyle?) {
        self.console = console
        let wanted = style ?? (console.isTerminal ? .bar : .events)
        self.style = wanted == .bar && !console.isTerminal ? .events : wanted
        self.color = console.isTerminal
    }

    // MARK: Permanent lines

    public func line(_ text: String) {
        lock.withLock {
            clearBlock()
            console.out(text)
            drawBlock()
        }
    }

    public func error(_ text: String) {
        lock.withLock {
            clearBlock()
            console.err(text)
            drawBlock()
        }
    }

    func success(_ text: String) { line(ANSI.green(text, color)) }
    func failure(_ text: String) { error(ANSI.red(text, color)) }
    func bold(_ text: String) -> String { ANSI.bold(text, color) }

    /// Asks a question with the live block out of the way.
    func confirm(_ question: String) -> Bool {
        lock.withLock {
            clearBlock()
            let answer = console.confirm(question)
            drawBlock()
            return answer
        }
    }

    // MARK: Live progress

    /// A stack operation starts; `expected` is the number of resources it should touch (0 if unknown).
    func begin(stack: String, operation: String, expected: Int) {
        lock.withLock {
            if boards[stack] == nil { order.append(stack) }
            boards[stack] = Board(stack: stack, operation: operation, expected: expected)
            if style == .bar { redraw() }
        }
    }

    /// One CloudFormation event.
    func event(_ e: StackEvent, stack: String) {
        lock.withLock {
            boards[stack]?.apply(e)
            switch style {
            case .events:
                console.out(Self.eventLine(e, stack: stack))
            case .bar:
                if let status = e.resourceStatus, status.isFailed, !Self.isCancellation(e.resourceStatusReason) {
                    clearBlock()
                    console.out(ANSI.red("\(stack) | \(status) | \(e.resourceType ?? "") | \(e.logicalResourceId ?? "")"
                        + (e.resourceStatusReason.map { " | \($0)" } ?? ""), color))
                }
                redraw()
            }
        }
    }

    /// The stack operation is over: its block disappears.
    func end(stack: String) {
        lock.withLock {
            clearBlock()
            boards[stack] = nil
            order.removeAll { $0 == stack }
            drawBlock()
        }
    }

    static func isCancellation(_ reason: String?) -> Bool {
        guard let r = reason?.trimmingCharacters(in: .whitespacesAndNewlines) else { return false }
        return r.hasPrefix("Resource ") && r.hasSuffix(" cancelled")
    }

    /// `infra-example | 12:00:01 | CREATE_COMPLETE | AWS::S3::Bucket | Uploads | reason`.
    static func eventLine(_ e: StackEvent, stack: String) -> String {
        var parts = [stack, e.timestamp.map(Self.time) ?? "--:--:--", e.resourceStatus?.rawValue ?? "?",
                     e.resourceType ?? "?", e.logicalResourceId ?? "?"]
        if let reason = e.resourceStatusReason, !reason.isEmpty { parts.append(reason) }
        return parts.joined(separator: " | ")
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    // MARK: Drawing (bar mode; the lock is held)

    /// Overwrites the live block in place (no blank frame in between).
    private func redraw() {
        guard style == .bar else { return }
        let lines = blockLines()
        var text = ANSI.up(drawnLines)
        for line in lines { text += ANSI.clearLine + line + "\n" }
        let extra = drawnLines - lines.count
        if extra > 0 {
            for _ in 0..<extra { text += ANSI.clearLine + "\n" }
            text += ANSI.up(extra)
        }
        if !text.isEmpty { console.raw(text) }
        drawnLines = lines.count
    }

    private func clearBlock() {
        guard style == .bar, drawnLines > 0 else { return }
        var text = ANSI.up(drawnLines)
        for _ in 0..<drawnLines { text += ANSI.clearLine + "\n" }
        text += ANSI.up(drawnLines)
        console.raw(text)
        drawnLines = 0
    }

    private func drawBlock() {
        guard style == .bar else { return }
        let lines = blockLines()
        guard !lines.isEmpty else { return }
        console.raw(lines.map { ANSI.clearLine + $0 + "\n" }.joined())
        drawnLines = lines.count
    }

    private func blockLines() -> [String] {
        order.compactMap { boards[$0] }.flatMap { $0.lines(color: color) }
    }
}

/// What is known of one stack operation in progress.
struct Board {
    let stack: String
    let operation: String
    let expected: Int
    var status: ResourceStatus?
    /// logical id -> (type, latest status), in first-seen order.
    var resources: [(id: String, type: String, status: ResourceStatus)] = []

    init(stack: String, operation: String, expected: Int) {
        self.stack = stack
        self.operation = operation
        self.expected = expected
    }

    mutating func apply(_ e: StackEvent) {
        guard let id = e.logicalResourceId, let status = e.resourceStatus else { return }
        if e.resourceType == "AWS::CloudFormation::Stack" && (id == stack || e.physicalResourceId == e.stackId) {
            self.status = status
            return
        }
        if let i = resources.firstIndex(where: { $0.id == id }) {
            resources[i].status = status
        } else {
            resources.append((id, e.resourceType ?? "", status))
        }
    }

    var done: Int { resources.filter(\.status.isDone).count }
    var inProgress: [(id: String, type: String, status: ResourceStatus)] {
        resources.filter(\.status.isInProgress)
    }
    var failed: Int { resources.filter(\.status.isFailed).count }

    func lines(color: Bool) -> [String] {
        let total = max(expected, resources.count, 1)
        let width = 24
        let filled = min(width, done * width / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        var head = "\(ANSI.bold(stack, color)) \(operation) [\(bar)] \(done)/\(total) done"
        let running = inProgress
        if !running.isEmpty { head += ", \(running.count) in progress" }
        if failed > 0 { head += ", " + ANSI.red("\(failed) failed", color) }
        if let status { head += " (\(status))" }
        var out = [head]
        for r in running.prefix(5) {
            out.append("    \(ANSI.yellow("…", color)) \(r.id) (\(r.type)) \(r.status)")
        }
        if running.count > 5 { out.append("    … and \(running.count - 5) more") }
        return out
    }
}
