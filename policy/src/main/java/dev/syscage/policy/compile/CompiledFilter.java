package dev.syscage.policy.compile;

import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.model.Policy;

/** A policy, the verified BPF program compiled from it, and what each compiler step did. */
public record CompiledFilter(Policy policy, Program program, CompileOptions options, CompileStats stats) {}
