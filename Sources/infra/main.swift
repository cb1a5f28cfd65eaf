import BuiltinStacks
import Foundation
import InfraCLI

// A closed pipe on stdout/stderr (`infra deploy | head`) must not end a deploy mid-watch:
// with SIGPIPE ignored, writes fail with EPIPE instead, which the deploy console handles
// (StandardConsole), and the deploy finishes and exits with its own status.
signal(SIGPIPE, SIG_IGN)
InfraCommand.main(builtin: StackRegistry.all)
