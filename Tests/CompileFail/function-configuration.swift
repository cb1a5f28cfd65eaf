// An imported function's configuration is not known or managed here.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let fn = Function.imported(stack, "F", arn: "arn:aws:lambda:eu-west-1:123456789012:function:resize")
let timeout = fn.timeout // expected-error: value of type 'ImportedFunction' has no member 'timeout'
fn.addEnvironment("TABLE", "jobs") // expected-error: value of type 'ImportedFunction' has no member 'addEnvironment'
fn.addEventSource(queue: Queue(stack, "Q")) // expected-error: value of type 'ImportedFunction' has no member 'addEventSource'
