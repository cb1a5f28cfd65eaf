// An imported function has no role here: nothing can be granted to it.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let fn = Function.imported(stack, "F", arn: "arn:aws:lambda:eu-west-1:123456789012:function:resize")
Table(stack, "T", partitionKey: .init("id", .string)).grantReadData(fn) // expected-error: argument type 'ImportedFunction' does not conform to expected type 'Grantable'
