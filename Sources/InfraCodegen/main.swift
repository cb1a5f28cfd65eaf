import Foundation

// swift run InfraCodegen [--check] [--root DIR]
//   Regenerates Sources/InfraResources (the types codegen/resources.txt selects) and
//   Sources/InfraContract/ResourceSpecsData.swift (every type) from codegen/schemas, all relative
//   to the package root: DIR, or the nearest directory above the working directory with
//   Package.swift and codegen/schemas. --check writes nothing and exits 1 when files differ.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("InfraCodegen: \(message)\n".utf8))
    exit(2)
}

var check = false
var rootArgument: String?
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--check": check = true
    case "--root":
        guard let v = args.popFirst() else { fail("--root needs a directory") }
        rootArgument = v
    case "-h", "--help":
        print("usage: InfraCodegen [--check] [--root DIR]")
        exit(0)
    default: fail("unknown argument \(a)")
    }
}

let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
guard let root = rootArgument.map({ URL(fileURLWithPath: $0, relativeTo: cwd) })
    ?? Generator.packageRoot(from: cwd)
else { fail("no package root with codegen/schemas at or above \(cwd.path)") }

let files: [String: String]
do {
    files = try Generator(root: root).generate()
} catch {
    fail("\(error)")
}

if check {
    let diff = Generator.differences(files, in: root)
    if diff.isEmpty {
        print("the generated files are up to date (\(files.count) files)")
    } else {
        print("the generated files differ from the generator's output:")
        for path in diff { print("  \(path)") }
        print("run scripts/codegen to regenerate")
        exit(1)
    }
} else {
    do {
        let changed = try Generator.write(files, to: root)
        print("\(files.count) files, \(changed.count) written or deleted\(changed.isEmpty ? "" : ": " + changed.joined(separator: ", "))")
    } catch {
        fail("\(error)")
    }
}
