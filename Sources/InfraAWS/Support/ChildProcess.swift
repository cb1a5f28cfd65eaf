import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// glibc declares these only under _GNU_SOURCE, which Swift's Glibc module does not define.
@_silgen_name("pipe2") private func sys_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func sys_addchdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

private func pipe2(_ fds: inout [Int32], _ flags: Int32) -> Int32 {
    fds.withUnsafeMutableBufferPointer { sys_pipe2($0.baseAddress!, flags) }
}

/// Runs a program (an argv, never through a shell) with a deadline, optional standard input and
/// captured standard output and error, and makes sure it does not outlive its reason to run:
///
/// - when the calling task is cancelled or the deadline passes, the child gets SIGTERM, then
///   SIGKILL after `grace` seconds;
/// - when infra itself gets SIGINT (Ctrl-C) or SIGTERM, every live child is ended the same way
///   before infra exits by that signal (`installSignalHandlers`). Foundation's `Process` puts its
///   children in a process group of their own, so Ctrl-C in a terminal never reached them; this
///   keeps a registry of live children and ends them from the signal path. Callers waiting for a
///   child ended that way are not resumed: the process exits by the signal (status 130 or 143)
///   instead of reporting the children's deaths as failures on the way down.
///
/// The child starts with the default action for SIGINT, SIGTERM, SIGPIPE, SIGHUP and SIGQUIT and an
/// empty signal mask, whatever infra ignores or blocks. With `.inherit` (the default) the child
/// stays in infra's process group: a terminal's Ctrl-C reaches it directly, and a child that asks
/// for a password on /dev/tty (a `credential_process` with MFA) still can. `.own` puts it in a new
/// group, so ending it also ends whatever it started (`kill(-pid)`).
public struct ChildProcess: Sendable {
    public enum ProcessGroup: Sendable { case inherit, own }

    public struct Result: Sendable {
        /// The exit status; 128 + n when ended by signal n (as shells report it).
        public var status: Int32
        /// The signal that ended the child, if one did.
        public var signal: Int32?
        public var stdout: Data
        public var stderr: Data
        /// The deadline passed and infra ended the child.
        public var timedOut: Bool
        public var succeeded: Bool { status == 0 && !timedOut }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    public enum Failure: Error, Sendable, CustomStringConvertible, Equatable {
        case notFound(String)
        case launchFailed(String, String)
        case emptyArguments

        public var description: String {
            switch self {
            case .notFound(let name): return "\(name): command not found (searched PATH)"
            case let .launchFailed(name, reason): return "cannot start \(name): \(reason)"
            case .emptyArguments: return "no command to run"
            }
        }
    }

    public var arguments: [String]
    public var environment: [String: String]?
    public var currentDirectory: String?
    public var stdin: Data?
    public var timeout: TimeInterval?
    public var grace: TimeInterval
    public var processGroup: ProcessGroup
    /// Receives output as it arrives (it is captured all the same).
    public var onStdout: (@Sendable (Data) -> Void)?
    public var onStderr: (@Sendable (Data) -> Void)?

    public init(_ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil,
                stdin: Data? = nil, timeout: TimeInterval? = nil, grace: TimeInterval = 3,
                processGroup: ProcessGroup = .inherit,
                onStdout: (@Sendable (Data) -> Void)? = nil, onStderr: (@Sendable (Data) -> Void)? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.stdin = stdin
        self.timeout = timeout
        self.grace = grace
        self.processGroup = processGroup
        self.onStdout = onStdout
        self.onStderr = onStderr
    }

    /// Runs `arguments` and waits for it; throws `CancellationError` when the task was cancelled
    /// (the child has been ended by then).
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           currentDirectory: String? = nil, stdin: Data? = nil, timeout: TimeInterval? = nil,
                           grace: TimeInterval = 3, processGroup: ProcessGroup = .inherit) async throws -> Result {
        try await ChildProcess(arguments, environment: environment, currentDirectory: currentDirectory,
                               stdin: stdin, timeout: timeout, grace: grace, processGroup: processGroup).run()
    }

    public func run() async throws -> Result {
        try Task.checkCancellation()
        ChildRegistry.shared.installIfNeeded()
        let child = try Launched.spawn(self)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
                child.whenDone { continuation.resume(returning: $0) }
            }
        } onCancel: {
            child.terminate()
        }
        if Task.isCancelled { throw CancellationError() }
        return result
    }

    // MARK: - Signals

    /// Makes SIGINT and SIGTERM end every live child (SIGTERM, then SIGKILL after their grace)
    /// and then end infra by the same signal. `onSignal` runs after the children are ended and
    /// before infra exits (to print what carries on, for instance). Idempotent; the first
    /// `run()` installs it with no hook when nobody did.
    public static func installSignalHandlers(onSignal: (@Sendable (Int32) -> Void)? = nil) {
        ChildRegistry.shared.install(onSignal: onSignal)
    }

    /// Ends every live child now (SIGTERM, SIGKILL after `grace`) and waits until they are gone
    /// or the grace has passed.
    public static func terminateAll(grace: TimeInterval = 3) {
        ChildRegistry.shared.terminateAll(grace: grace)
    }

    /// Process ids of the children running now.
    public static var liveChildren: [pid_t] { ChildRegistry.shared.pids }

    /// The path `name` resolves to through `PATH` (as `execvp` would), or nil.
    public static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return name }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}

// MARK: - A running child

/// One spawned child: its pipes, readers, waiter and termination.
final class Launched: @unchecked Sendable {
    let pid: pid_t
    let group: ChildProcess.ProcessGroup
    let grace: TimeInterval
    private let lock = NSLock()
    private var reaped = false
    private var terminating = false
    private var timedOut = false
    private var result: ChildProcess.Result?
    private var waiters: [(ChildProcess.Result) -> Void] = []
    private var stdoutData = Data()
    private var stderrData = Data()

    private init(pid: pid_t, group: ChildProcess.ProcessGroup, grace: TimeInterval) {
        self.pid = pid
        self.group = group
        self.grace = grace
    }

    static func spawn(_ spec: ChildProcess) throws -> Launched {
        guard let name = spec.arguments.first, !name.isEmpty else { throw ChildProcess.Failure.emptyArguments }
        let environment = spec.environment ?? ProcessInfo.processInfo.environment
        guard let path = ChildProcess.resolve(name, path: environment["PATH"]) else {
            throw ChildProcess.Failure.notFound(name)
        }
        if spec.stdin != nil { signal(SIGPIPE, SIG_IGN) }  // a child that exits early must not kill us

        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
        func closeAll() { for fd in outPipe + errPipe + inPipe where fd >= 0 { close(fd) } }
        guard pipe2(&outPipe, O_CLOEXEC) == 0, pipe2(&errPipe, O_CLOEXEC) == 0,
              spec.stdin == nil || pipe2(&inPipe, O_CLOEXEC) == 0 else {
            let reason = String(cString: strerror(errno))
            closeAll()
            throw ChildProcess.Failure.launchFailed(name, reason)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if spec.stdin != nil {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let dir = spec.currentDirectory { _ = sys_addchdir(&actions, dir) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if spec.processGroup == .own {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = spec.arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        // registered before it can exit, so a signal arriving now still finds it
        let spawnResult = ChildRegistry.shared.registering {
            posix_spawn(&pid, path, &actions, &attributes, argv, envp) == 0 ? pid : nil
        }
        let spawnErrno = errno
        close(outPipe[1]); close(errPipe[1])
        if inPipe[0] >= 0 { close(inPipe[0]) }
        guard spawnResult != nil else {
            close(outPipe[0]); close(errPipe[0])
            if inPipe[1] >= 0 { close(inPipe[1]) }
            throw ChildProcess.Failure.launchFailed(name, String(cString: strerror(spawnErrno)))
        }
        let child = Launched(pid: pid, group: spec.processGroup, grace: spec.grace)
        ChildRegistry.shared.attach(child)
        child.start(stdout: outPipe[0], stderr: errPipe[0], stdinFD: inPipe[1], stdin: spec.stdin,
                    timeout: spec.timeout, onStdout: spec.onStdout, onStderr: spec.onStderr)
        return child
    }

    private func start(stdout: Int32, stderr: Int32, stdinFD: Int32, stdin: Data?, timeout: TimeInterval?,
                       onStdout: (@Sendable (Data) -> Void)?, onStderr: (@Sendable (Data) -> Void)?) {
        let done = DispatchGroup()
        if let stdin, stdinFD >= 0 {
            DispatchQueue.global().async {
                stdin.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(stdinFD, raw.baseAddress! + offset, raw.count - offset)
                        if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
                    }
                }
                close(stdinFD)
            }
        }
        done.enter()
        DispatchQueue.global().async { [self] in
            readAll(stdout: stdout, stderr: stderr, onStdout: onStdout, onStderr: onStderr)
            done.leave()
        }
        done.enter()
        DispatchQueue.global().async { [self] in
            waitForExit()
            done.leave()
        }
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + max(0, timeout)) { [self] in
                let running = lock.withLock { () -> Bool in
                    if reaped { return false }
                    timedOut = true
                    return true
                }
                if running { terminate() }
            }
        }
        done.notify(queue: .global()) { [self] in
            let (status, signal) = exitStatus
            let result = lock.withLock { () -> ChildProcess.Result in
                let r = ChildProcess.Result(status: status, signal: signal, stdout: stdoutData, stderr: stderrData,
                                            timedOut: timedOut)
                self.result = r
                return r
            }
            // infra is exiting by a signal: the callers are not told that their child was ended
            // (they would report a failure while the process goes down)
            if ChildRegistry.shared.isExiting { return }
            let pending = lock.withLock { () -> [(ChildProcess.Result) -> Void] in
                defer { waiters = [] }
                return waiters
            }
            for waiter in pending { waiter(result) }
        }
    }

    func whenDone(_ body: @escaping (ChildProcess.Result) -> Void) {
        let ready = lock.withLock { () -> ChildProcess.Result? in
            if let result { return result }
            waiters.append(body)
            return nil
        }
        if let ready { body(ready) }
    }

    private var exitStatus: (Int32, Int32?) = (0, nil)

    private func waitForExit() {
        // look without reaping first, so that no kill can reach a recycled pid
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        lock.withLock { reaped = true }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        ChildRegistry.shared.remove(pid)
        let termSignal = status & 0x7f
        if termSignal == 0 {
            exitStatus = ((status >> 8) & 0xff, nil)
        } else {
            exitStatus = (128 + termSignal, termSignal)
        }
    }

    /// Reads both pipes until both close; once the child has exited, waits at most a second
    /// more (a grandchild may hold them open) and then stops.
    private func readAll(stdout: Int32, stderr: Int32, onStdout: (@Sendable (Data) -> Void)?,
                         onStderr: (@Sendable (Data) -> Void)?) {
        var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        var open = [true, true]
        var exitedAt: DispatchTime?
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 1)
        defer { buffer.deallocate() }
        while open[0] || open[1] {
            for i in 0..<2 { fds[i].fd = open[i] ? (i == 0 ? stdout : stderr) : -1; fds[i].revents = 0 }
            let ready = poll(&fds, 2, 100)
            if ready < 0 && errno != EINTR { break }
            for i in 0..<2 where open[i] && fds[i].revents != 0 {
                let n = read(fds[i].fd, buffer, 65536)
                if n > 0 {
                    let chunk = Data(bytes: buffer, count: n)
                    if i == 0 {
                        lock.withLock { stdoutData.append(chunk) }
                        onStdout?(chunk)
                    } else {
                        lock.withLock { stderrData.append(chunk) }
                        onStderr?(chunk)
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[i] = false
                }
            }
            if lock.withLock({ reaped }) {
                if exitedAt == nil { exitedAt = .now() }
                if DispatchTime.now() > exitedAt! + 1.0 { break }
            }
        }
        close(stdout)
        close(stderr)
    }

    /// SIGTERM now, SIGKILL after the grace if it is still running.
    func terminate() {
        let first = lock.withLock { () -> Bool in
            if reaped { return false }
            defer { terminating = true }
            return !terminating
        }
        guard first else { return }
        send(SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in send(SIGKILL) }
    }

    func send(_ signal: Int32) {
        lock.withLock {
            guard !reaped else { return }
            _ = kill(group == .own ? -pid : pid, signal)
        }
    }

    var isReaped: Bool { lock.withLock { reaped } }
}

// MARK: - Registry of live children

/// Live children of this process, ended from the signal path.
final class ChildRegistry: @unchecked Sendable {
    static let shared = ChildRegistry()

    private let lock = NSLock()
    private var live: [pid_t: Launched] = [:]
    private var spawning = 0
    private var installed = false
    private var hook: (@Sendable (Int32) -> Void)?
    private var sources: [DispatchSourceSignal] = []
    private var signalled = false

    var pids: [pid_t] { lock.withLock { Array(live.keys).sorted() } }
    var isExiting: Bool { lock.withLock { signalled } }

    func registering(_ spawn: () -> pid_t?) -> pid_t? {
        lock.withLock { spawning += 1 }
        defer { lock.withLock { spawning -= 1 } }
        return spawn()
    }

    func attach(_ child: Launched) {
        lock.withLock { live[child.pid] = child }
        if child.isReaped { remove(child.pid) }
    }

    func remove(_ pid: pid_t) {
        lock.withLock { _ = live.removeValue(forKey: pid) }
    }

    func installIfNeeded() {
        if !lock.withLock({ installed }) { install(onSignal: nil) }
    }

    func install(onSignal: (@Sendable (Int32) -> Void)?) {
        lock.withLock {
            if let onSignal { hook = onSignal }
            guard !installed else { return }
            installed = true
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)  // delivered to the dispatch source instead of ending us at once
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [self] in handle(sig) }
                source.resume()
                sources.append(source)
            }
        }
    }

    private func handle(_ sig: Int32) {
        let again = lock.withLock { () -> Bool in
            defer { signalled = true }
            return signalled
        }
        if again {
            // a second Ctrl-C: no more patience
            for child in lock.withLock({ Array(live.values) }) { child.send(SIGKILL) }
        } else {
            terminateAll(grace: 3)
            if let hook = lock.withLock({ hook }) { hook(sig) }
        }
        // end by the same signal: default action, unblocked in this thread (libdispatch keeps the
        // signals it watches blocked), sent to this thread
        signal(sig, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, sig)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(sig)
        _exit(128 + sig)
    }

    func terminateAll(grace: TimeInterval) {
        let children = lock.withLock { Array(live.values) }
        for child in children { child.send(SIGTERM) }
        let deadline = DispatchTime.now() + grace
        while DispatchTime.now() < deadline, children.contains(where: { !$0.isReaped }) {
            usleep(20_000)
        }
        for child in children where !child.isReaped { child.send(SIGKILL) }
    }
}
