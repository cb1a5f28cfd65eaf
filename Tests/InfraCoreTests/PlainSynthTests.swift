import ArgumentParser
@testable import InfraCLI
import InfraCore
import XCTest

/// `infra synth` command lines read without ArgumentParser (`Synth.Plain`, the start-up path) give
/// exactly what ArgumentParser's parse gives, and every other command line is left to it.
final class PlainSynthTests: XCTestCase {
    /// ArgumentParser's reading of `args`, in the plain form (nil when it is not a synth).
    private func parsed(_ args: [String]) throws -> Synth.Plain? {
        guard let s = try InfraCommand.parseAsRoot(args) as? Synth else { return nil }
        return Synth.Plain(stacks: s.stacks, all: s.all, output: s.output, format: s.format, quiet: s.quiet,
                           configDirectory: s.options.configDirectory, context: s.options.context)
    }

    func testPlainCommandLinesReadAsArgumentParserReadsThem() throws {
        let lines: [[String]] = [
            ["synth"],
            ["synth", "labeling-tool"],
            ["synth", "labeling-tool", "--quiet", "--output", "/tmp/x"],
            ["synth", "-q", "-o", "out", "a", "b"],
            ["synth", "--all", "--format", "yaml"],
            ["synth", "--config", "conf", "-c", "A=1", "-c", "B=2", "stack"],
            ["synth", "-o", "out", "--format", "json", "x", "--quiet", "y"],
            ["synth", "-c", "KEY=a value with spaces"],
        ]
        for args in lines {
            let plain = try XCTUnwrap(Synth.Plain(args), "\(args) should be read without ArgumentParser")
            XCTAssertEqual(plain, try parsed(args), "\(args)")
        }
    }

    func testEverythingElseGoesToArgumentParser() {
        let lines: [[String]] = [
            [], ["ls"], ["--help"], ["synth", "--help"], ["synth", "-h"], ["synth", "help"],
            ["synth", "--output=out"], ["synth", "-o"], ["synth", "-o", "-x"], ["synth", "--format", "xml"],
            ["synth", "-o", "a", "-o", "b"], ["synth", "--quiet", "--quiet"], ["synth", "--all", "--all"],
            ["synth", "--format", "json", "--format", "yaml"], ["synth", "--config", "a", "--config", "b"],
            ["synth", "-qo", "out"], ["synth", "--", "stack"], ["synth", "-"], ["synth", ""],
            ["synth", "--nosuchflag"], ["synth", "--generate-completion-script", "bash"], ["synth", "-c", ""],
        ]
        for args in lines {
            XCTAssertNil(Synth.Plain(args), "\(args) must go through ArgumentParser")
        }
    }

    /// `infra --help` and `-h` print `helpMessage()` directly: the same text ArgumentParser's
    /// parse and help command print.
    func testHelpTextIsArgumentParsersHelpText() throws {
        for flag in ["--help", "-h"] {
            var command = try InfraCommand.parseAsRoot([flag])
            XCTAssertThrowsError(try command.run()) { error in
                XCTAssertEqual(InfraCommand.exitCode(for: error), .success)
                XCTAssertEqual(InfraCommand.fullMessage(for: error), InfraCommand.helpMessage())
            }
        }
    }
}
