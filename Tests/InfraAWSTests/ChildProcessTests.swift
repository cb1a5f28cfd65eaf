import Foundation
@testable import InfraAWS
import XCTest

/// ChildProcess with real programs (/bin/sh scripts): output, stdin, exit status, deadline,
/// cancellation, the registry the signal path uses; and credential_process on top of it.
final class ChildProcessTests: XCTestCase {
    nonisolated static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Running (a zombie that no one reaped counts as ended).
    nonisolated static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    func testRunsAnArgvWithStdinAndCapturesBothStreams() async throws {
        let r = try await ChildProcess.run(["/bin/sh", "-c", "cat; echo err >&2; exit 4"], stdin: Data("hello $HOME *".utf8))
        XCTAssertEqual(String(decoding: r.stdout, as: UTF8.self), "hello $HOME *")
        XCTAssertEqual(r.stderrText, "err\n")
        XCTAssertEqual(r.status, 4)
        XCTAssertFalse(r.succeeded)
        XCTAssertFalse(r.timedOut)

        // no shell: arguments arrive as they are
        let echo = try await ChildProcess.run(["printf", "%s|", "a b", "$HOME", "*", "'q'"])
        XCTAssertEqual(String(decoding: echo.stdout, as: UTF8.self), "a b|$HOME|*|'q'|")

        let big = Data(repeating: 0x41, count: 3_000_000)
        let cat = try await ChildProcess.run(["cat"], stdin: big)
        XCTAssertEqual(cat.stdout.count, big.count)

        do {
            _ = try await ChildProcess.run(["infra-no-such-program-\(UUID().uuidString)"])
            XCTFail("expected notFound")
        } catch let error as ChildProcess.Failure {
            XCTAssertTrue("\(error)".contains("command not found"), "\(error)")
        }
    }

    func testTheDeadlineEndsTheChildWithSIGTERMThenSIGKILL() async throws {
        let start = DispatchTime.now()
        let r = try await ChildProcess.run(["sleep", "30"], timeout: 0.3)
        XCTAssertTrue(r.timedOut)
        XCTAssertEqual(r.signal, SIGTERM)
        XCTAssertLessThan(Self.seconds(since: start), 2)

        // a child that ignores SIGTERM gets SIGKILL after the grace
        let start2 = DispatchTime.now()
        let stubborn = try await ChildProcess.run(["/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"],
                                                  timeout: 0.3, grace: 0.5)
        XCTAssertTrue(stubborn.timedOut)
        XCTAssertEqual(stubborn.signal, SIGKILL)
        XCTAssertLessThan(Self.seconds(since: start2), 3)
    }

    func testCancellingTheTaskEndsTheChild() async throws {
        let home = try TempHome()
        let pidFile = home.url.appendingPathComponent("pid").path
        let task = Task.detached { try await ChildProcess.run(["/bin/sh", "-c", "echo $$ > \(pidFile); exec sleep 30"]) }
        var pid: pid_t = 0
        for _ in 0..<100 where pid == 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
            pid = pid_t((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        XCTAssertGreaterThan(pid, 0)
        XCTAssertTrue(ChildProcess.liveChildren.contains(pid))
        let start = DispatchTime.now()
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected cancellation")
        } catch is CancellationError {
        }
        XCTAssertLessThan(Self.seconds(since: start), 2)
        XCTAssertFalse(Self.isAlive(pid), "the child outlived the cancelled task")
        XCTAssertFalse(ChildProcess.liveChildren.contains(pid))
    }

    /// What the SIGINT/SIGTERM handler does before infra exits: every live child is ended.
    func testTerminateAllEndsEveryLiveChild() async throws {
        let tasks = (0..<3).map { _ in Task.detached { try await ChildProcess.run(["sleep", "30"]) } }
        for _ in 0..<100 where ChildProcess.liveChildren.count < 3 { try await Task.sleep(nanoseconds: 20_000_000) }
        let pids = ChildProcess.liveChildren
        XCTAssertEqual(pids.count, 3)
        let start = DispatchTime.now()
        ChildProcess.terminateAll(grace: 1)
        print("terminateAll: \(Int(Self.seconds(since: start) * 1000)) ms")
        for task in tasks {
            let r = try await task.value
            XCTAssertEqual(r.signal, SIGTERM)
        }
        XCTAssertTrue(pids.allSatisfy { !Self.isAlive($0) })
        XCTAssertEqual(ChildProcess.liveChildren, [])
    }

    /// The signal path for real: a copy of this test binary (as a helper) starts `sleep 30` through
    /// ChildProcess; SIGINT to the helper, as Ctrl-C would send, ends the sleep before the helper
    /// exits by SIGINT.
    func testSIGINTEndsLiveChildrenBeforeExiting() async throws {
        let home = try TempHome()
        let pidFile = home.url.appendingPathComponent("grandchild").path
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).path
        var env = ProcessInfo.processInfo.environment
        env["INFRA_SIGNAL_HELPER_PID_FILE"] = pidFile
        let helper = Task.detached {
            try await ChildProcess.run([binary, "InfraAWSTests.ChildProcessTests/testSignalHelper"], environment: env,
                                       timeout: 60)
        }
        var grandchild: pid_t = 0
        for _ in 0..<1500 where grandchild == 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
            grandchild = pid_t((try? String(contentsOfFile: pidFile, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        XCTAssertGreaterThan(grandchild, 0, "the helper did not start its child")
        XCTAssertTrue(Self.isAlive(grandchild))
        let helperPID = ChildProcess.liveChildren.first { Self.parent(of: grandchild) == $0 }
        XCTAssertNotNil(helperPID)
        if let helperPID { kill(helperPID, SIGINT) }
        let result = try await helper.value
        XCTAssertEqual(result.signal, SIGINT, "status \(result.status)\n" + String(decoding: result.stdout.suffix(3000), as: UTF8.self) + result.stderrText.suffix(2000))
        XCTAssertFalse(result.timedOut)
        XCTAssertFalse(Self.isAlive(grandchild), "the child outlived infra's Ctrl-C")
    }

    /// Run only as the helper of testSIGINTEndsLiveChildrenBeforeExiting.
    func testSignalHelper() async throws {
        guard let pidFile = ProcessInfo.processInfo.environment["INFRA_SIGNAL_HELPER_PID_FILE"] else {
            throw XCTSkip("helper of testSIGINTEndsLiveChildrenBeforeExiting; runs only in its child process")
        }
        let task = Task.detached { try await ChildProcess.run(["sleep", "30"]) }
        for _ in 0..<500 where ChildProcess.liveChildren.isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
        try String(ChildProcess.liveChildren[0]).write(toFile: pidFile, atomically: true, encoding: .utf8)
        _ = try await task.value
        XCTFail("the helper should have been ended by SIGINT")
    }

    static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// The child starts with default signal actions even when infra ignores them.
    func testChildrenGetDefaultSignalActions() async throws {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        // `yes | head -1` only ends because yes dies of SIGPIPE
        let r = try await ChildProcess.run(["/bin/sh", "-c", "yes | head -n 1"], timeout: 5)
        XCTAssertFalse(r.timedOut)
        XCTAssertEqual(String(decoding: r.stdout, as: UTF8.self), "y\n")
    }

    // MARK: credential_process

    func testShellWordsSplitLikeBotocore() throws {
        // expected values from Python's shlex.split, which botocore uses
        XCTAssertEqual(try ShellWords.split("/usr/bin/aws-vault exec prod --json"), ["/usr/bin/aws-vault", "exec", "prod", "--json"])
        XCTAssertEqual(try ShellWords.split(#""/opt/my tools/creds" --profile 'a b' "#), ["/opt/my tools/creds", "--profile", "a b"])
        XCTAssertEqual(try ShellWords.split(#"cmd "a \"quoted\" \\ \$x" 'it''s' back\ slash"#),
                       ["cmd", #"a "quoted" \ \$x"#, "its", "back slash"])
        XCTAssertEqual(try ShellWords.split(#"a"b"c 'd'"e" """#), ["abc", "de", ""])
        XCTAssertEqual(try ShellWords.split("tool # not a comment"), ["tool", "#", "not", "a", "comment"])
        XCTAssertThrowsError(try ShellWords.split("tool 'unclosed"))
        XCTAssertThrowsError(try ShellWords.split("tool \\"))
    }

    func testCredentialProcessArgumentsTimeoutFailureAndSecrets() async throws {
        let home = try TempHome()
        let script = try home.write("my tools/creds.sh", """
            #!/bin/sh
            # prints its arguments as the key id, so the test sees how the command was split
            printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "s3cr3t"}' "$1|$2|$#"
            """, executable: true)
        let command = "'\(script)' \"a b\" '$HOME'"
        let creds = try await ProcessCredentials.run(command, label: "profile 'p'", now: { Date() })
        XCTAssertEqual(creds.accessKeyId, "a b|$HOME|2")

        // a command that never finishes is stopped at its deadline, with an error naming the profile
        let slow = try home.write("slow.sh", "#!/bin/sh\nsleep 30\n", executable: true)
        let start = DispatchTime.now()
        do {
            _ = try await ProcessCredentials.run(slow, label: "profile 'slow'", now: { Date() }, timeout: 0.3)
            XCTFail("expected a timeout")
        } catch let error as CredentialsError {
            XCTAssertEqual("\(error)", "profile 'slow' credential_process: \(slow) did not finish within 0.3 s and was stopped")
        }
        XCTAssertLessThan(Self.seconds(since: start), 3)
        XCTAssertEqual(ProcessCredentials.timeout, 60)

        // a failing command: its status and stderr, never its stdout (which may hold secrets)
        let failing = try home.write("fail.sh", "#!/bin/sh\necho 'AKIASECRET wJalrXUtnFEMI' \necho 'login expired' >&2\nexit 2\n",
                                     executable: true)
        do {
            _ = try await ProcessCredentials.run(failing, label: "profile 'f'", now: { Date() })
            XCTFail("expected a failure")
        } catch let error as CredentialsError {
            XCTAssertEqual("\(error)", "profile 'f' credential_process: \(failing) exited with status 2: login expired")
        }
        let leaky = try home.write("leaky.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"topsecret\"'\n",
                                   executable: true)
        do {
            _ = try await ProcessCredentials.run(leaky, label: "profile 'l'", now: { Date() })
            XCTFail("expected a JSON error")
        } catch let error as CredentialsError {
            XCTAssertFalse("\(error)".contains("topsecret"))
            XCTAssertTrue("\(error)".contains("output is not a JSON object"), "\(error)")
        }

        // shell syntax is not interpreted: a pipe is just an argument
        let piped = "'\(script)' x | cat"
        let split = try await ProcessCredentials.run(piped, label: "profile 'p'", now: { Date() })
        XCTAssertEqual(split.accessKeyId, "x|||3")

        do {
            _ = try await ProcessCredentials.run("no-such-credential-helper-\(UUID().uuidString)", label: "profile 'n'", now: { Date() })
            XCTFail("expected not found")
        } catch let error as CredentialsError {
            XCTAssertTrue("\(error)".hasPrefix("profile 'n' credential_process: no-such-credential-helper-"), "\(error)")
            XCTAssertTrue("\(error)".contains("command not found"), "\(error)")
        }
    }

    func testCancellingCredentialResolutionEndsTheProcess() async throws {
        let home = try TempHome()
        let pidFile = home.url.appendingPathComponent("pid").path
        let script = try home.write("hang.sh", "#!/bin/sh\necho $$ > '\(pidFile)'\nexec sleep 30\n", executable: true)
        let task = Task.detached { try await ProcessCredentials.run(script, label: "profile 'h'", now: { Date() }) }
        var pid: pid_t = 0
        for _ in 0..<100 where pid == 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
            pid = pid_t((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        XCTAssertGreaterThan(pid, 0)
        let start = DispatchTime.now()
        task.cancel()
        let outcome = await task.result
        XCTAssertThrowsError(try outcome.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
        print("credential_process cancelled and ended in \(Int(Self.seconds(since: start) * 1000)) ms")
        XCTAssertLessThan(Self.seconds(since: start), 0.5)
        XCTAssertFalse(Self.isAlive(pid))
    }
}
