// An import is not the construct that creates the resource.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let bucket: Bucket = Bucket.imported(stack, "B", name: "legacy-bucket") // expected-error: cannot convert value of type 'ImportedBucket' to specified type 'Bucket'
