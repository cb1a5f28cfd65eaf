// An imported repository's policy is managed elsewhere.
import InfraDSL

let app = App()
let stack = Stack(app, "S")
let repository = Repository.imported(stack, "R", name: "team/web")
repository.addToResourcePolicy(PolicyStatement(actions: ["ecr:BatchGetImage"], principals: ["Service": ["lambda.amazonaws.com"]])) // expected-error: value of type 'ImportedRepository' has no member 'addToResourcePolicy'
