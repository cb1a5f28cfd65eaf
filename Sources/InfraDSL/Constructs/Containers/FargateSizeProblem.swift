/// Why a CPU/memory pair is not a Fargate task size: the CPU, or the memory for that CPU.
public enum FargateSizeProblem: Sendable, Equatable {
    case cpu(String)
    case memory(String)
}
