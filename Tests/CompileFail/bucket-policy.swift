// An imported bucket's policy is managed elsewhere.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let bucket = Bucket.imported(stack, "B", arn: "arn:aws:s3:::legacy-bucket")
bucket.addToResourcePolicy(PolicyStatement(actions: ["s3:GetObject"], resources: ["*"])) // expected-error: value of type 'ImportedBucket' has no member 'addToResourcePolicy'
