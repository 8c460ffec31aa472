package dev.syscage.policy.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A finished classic BPF program: the instruction array the kernel receives. */
public record Program(List<Insn> insns) {

    public Program {
        insns = List.copyOf(insns);
    }

    public int length() {
        return insns.size();
    }

    public Insn get(int pc) {
        return insns.get(pc);
    }

    /**
     * The kernel's {@code struct sock_filter} array: 8 bytes an instruction (u16 code, u8 jt,
     * u8 jf, u32 k), little-endian, no header — what {@code seccomp_export_bpf} writes.
     */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Insn i : insns) {
            b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        }
        return b.array();
    }

    /** Reads raw {@code struct sock_filter} bytes; the length must be a multiple of 8. */
    public static Program fromBytes(byte[] bytes) {
        if (bytes.length % 8 != 0) {
            throw new IllegalArgumentException(
                    "filter is " + bytes.length + " bytes, not a multiple of 8 (sizeof(struct sock_filter))");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Insn> list = new ArrayList<>(bytes.length / 8);
        while (b.hasRemaining()) {
            int code = b.getShort() & 0xFFFF;
            int jt = b.get() & 0xFF;
            int jf = b.get() & 0xFF;
            int k = b.getInt();
            list.add(new Insn(code, jt, jf, k));
        }
        return new Program(list);
    }
}
