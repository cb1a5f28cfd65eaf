// An imported bucket's notification configuration is not ours to replace.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let fn = Function(stack, "F", code: .inline("def handler(e, c): pass"), handler: "index.handler", runtime: .python3_12)
let bucket = Bucket.imported(stack, "B", name: "legacy-bucket")
bucket.addEventNotification(function: fn) // expected-error: value of type 'ImportedBucket' has no member 'addEventNotification'
