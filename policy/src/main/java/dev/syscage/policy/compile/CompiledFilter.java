package dev.syscage.policy.compile;

import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.model.Policy;

/** A policy and the verified BPF program compiled from it. */
public record CompiledFilter(Policy policy, Program program, CompileOptions options) {
}
