package dev.syscage.policy.oci;

import static dev.syscage.policy.oci.LibseccompNode.actCheckFails;
import static dev.syscage.policy.oci.LibseccompNode.chainEq;
import static dev.syscage.policy.oci.LibseccompNode.chainLt;
import static dev.syscage.policy.oci.LibseccompNode.get;
import static dev.syscage.policy.oci.LibseccompNode.leaf;
import static dev.syscage.policy.oci.LibseccompNode.nodePut;
import static dev.syscage.policy.oci.LibseccompNode.nxtF;
import static dev.syscage.policy.oci.LibseccompNode.nxtT;
import static dev.syscage.policy.oci.LibseccompNode.treeRemove;

import dev.syscage.policy.model.Action;
import java.util.List;

/**
 * libseccomp's rule database for one syscall on one architecture (src/db.c of libseccomp 2.5:
 * {@code _db_rule_gen}, {@code db_rule_add}, {@code _db_tree_prune}, {@code _db_tree_add}),
 * followed step by step, so that conditional rules with different actions that can match the
 * same call get the action libseccomp's filter gives them. libseccomp does not evaluate rules in
 * the order they were added: each 64-bit comparison becomes two or three nodes on 32-bit words,
 * nodes on one level are kept sorted ({@code _db_chain_lt}: argument, high word first, then
 * operator, then datum), identical nodes are merged, and a shorter chain prunes a longer one.
 * The generated BPF ({@code gen_bpf.c}) tries the nodes of a level in order: a node whose test
 * leads to an action ends the filter, one whose branch holds nothing falls through to the next
 * node of its level, and past the last node of a level to the node after its parent.
 *
 * <p>The port keeps libseccomp's pointers and reference counts, since whether a node is unlinked
 * depends on them ({@link LibseccompNode}; the nodes of one rule come from {@link LibseccompRuleGen}).
 * It is checked against the real libseccomp by {@code LibseccompTreeTest} and
 * {@code OciLibseccompDifferentialTest}.
 */
final class LibseccompTree {
    // db_iter_state flags
    private static final int MATCH = 0x1;
    private static final int MATCH_ONCE = 0x2;
    private static final int X_FINISHED = 0x10;
    private static final int N_FINISHED = 0x20;
    private static final int X_PREFIX = 0x100;
    private static final int N_PREFIX = 0x200;
    private static final int M_MATCHSET = MATCH | MATCH_ONCE;
    private static final int M_REDUNDANT = MATCH | X_FINISHED | N_PREFIX;

    /** libseccomp refused a rule (EEXIST): runc then fails to start the container. */
    static final class ExistsException extends Exception {
        ExistsException() {
            super("EEXIST");
        }
    }

    private static final class State {
        int flags;
        Action action;

        State copy() {
            State s = new State();
            s.flags = flags;
            s.action = action;
            return s;
        }
    }

    private final boolean is32;
    /** {@code db_sys_list}: present once a rule was added; chains null means the unconditional {@code action}. */
    private boolean present;

    private LibseccompNode chains;
    private Action action;

    /** For an architecture whose registers are {@code registerBits} wide. */
    LibseccompTree(int registerBits) {
        this.is32 = registerBits == 32;
    }

    private final LibseccompNode.Slot chainsSlot = new LibseccompNode.Slot() {
        @Override
        public LibseccompNode get() {
            return chains;
        }

        @Override
        public void set(LibseccompNode n) {
            chains = n;
        }
    };

    /** The unconditional action, or null when the syscall has conditional chains (or no rule). */
    Action unconditional() {
        return present && chains == null ? action : null;
    }

    /** The first node of the top level, or null. */
    LibseccompNode top() {
        return chains;
    }

    // ---- rule generation (_db_rule_gen: LibseccompRuleGen) ----

    /** {@code db_rule_add} for a rule with these comparisons (at most one per argument, as runc makes them). */
    void add(Action act, List<OciProfile.Arg> args) throws ExistsException {
        OciProfile.Arg[] chain = new OciProfile.Arg[6];
        for (OciProfile.Arg a : args) {
            chain[a.index()] = a;
        }
        LibseccompNode newChains = null;
        LibseccompNode[] prev = new LibseccompNode[4];
        boolean[] tf = {false};
        for (int i = 0; i < 6; i++) {
            if (chain[i] == null) {
                continue;
            }
            LibseccompNode first =
                    is32 ? LibseccompRuleGen.gen32(chain[i], prev, tf) : LibseccompRuleGen.gen64(chain[i], prev, tf);
            if (newChains == null && first != null) {
                newChains = get(first);
            }
        }
        if (newChains != null) {
            for (int i = 0; prev[i] != null; i++) {
                if (tf[0]) {
                    prev[i].actTFlg = true;
                    prev[i].actT = act;
                } else {
                    prev[i].actFFlg = true;
                    prev[i].actF = act;
                }
            }
        }
        ruleAdd(newChains, act);
    }

    // ---- db_rule_add ----

    private void ruleAdd(LibseccompNode newChains, Action act) throws ExistsException {
        boolean rmFlag = false;
        while (true) {
            if (!present) {
                present = true;
                chains = newChains;
                action = newChains == null ? act : null;
                return;
            }
            if (chains == null) {
                if (rmFlag) {
                    chains = newChains;
                    action = newChains == null ? act : null;
                }
                return; // an unconditional rule exists: the new one is dropped
            }
            if (newChains == null) {
                chains = null;
                action = act;
                return;
            }
            State state = new State();
            state.action = act;
            int rc = prune(chainsSlot, newChains, state);
            if (rc > 0) {
                rmFlag = true;
                if (chains == null) {
                    present = true;
                    continue; // add_reset
                }
            } else if ((state.flags & M_REDUNDANT) == M_REDUNDANT) {
                return;
            }
            treeAdd(chainsSlot, newChains);
            return;
        }
    }

    // ---- _db_tree_prune ----

    private int prune(LibseccompNode.Slot existing, LibseccompNode nw, State state) {
        int cnt = 0;
        State stateNew = state.copy();
        LibseccompNode.Box x = new LibseccompNode.Box(existing.get());
        LibseccompNode n = nw;
        boolean ret = false;
        if (n == null || x.n == null) {
            ret = true;
        } else if ((state.flags & M_MATCHSET) == MATCH_ONCE) {
            ret = true;
        }
        if (!ret) {
            while (x.n.lvlPrv != null) {
                x.n = x.n.lvlPrv;
            }
            outer:
            do {
                LibseccompNode xNext = x.n.lvlNxt;
                if (chainEq(x.n, n)) {
                    stateNew.flags |= M_MATCHSET;
                    if (leaf(n)) {
                        stateNew.flags |= N_FINISHED;
                    }
                    if (leaf(x.n)) {
                        stateNew.flags |= X_FINISHED;
                    }
                    if ((x.n.actTFlg || x.n.nxtT != null) && !(n.actTFlg || n.nxtT != null)) {
                        break;
                    }
                    if ((x.n.actFFlg || x.n.nxtF != null) && !(n.actFFlg || n.nxtF != null)) {
                        break;
                    }
                    if ((stateNew.flags & N_FINISHED) != 0 && (stateNew.flags & X_FINISHED) != 0) {
                        if (n.actTFlg != x.n.actTFlg
                                || !java.util.Objects.equals(n.actT, x.n.actT)
                                || n.actFFlg != x.n.actFFlg
                                || !java.util.Objects.equals(n.actF, x.n.actF)) {
                            break;
                        }
                    }
                    if (n.nxtT != null) {
                        get(x.n);
                        State sn = state.copy();
                        sn.flags |= M_MATCHSET;
                        cnt += prune(nxtT(x.n), n.nxtT, sn);
                        cnt += nodePut(x);
                        if ((sn.flags & MATCH) != 0) {
                            stateNew.flags |= sn.flags;
                        }
                        if (x.n == null) {
                            x.n = xNext;
                            continue;
                        }
                    }
                    if (n.nxtF != null) {
                        get(x.n);
                        State sn = state.copy();
                        sn.flags |= M_MATCHSET;
                        cnt += prune(nxtF(x.n), n.nxtF, sn);
                        cnt += nodePut(x);
                        if ((sn.flags & MATCH) != 0) {
                            stateNew.flags |= sn.flags;
                        }
                        if (x.n == null) {
                            x.n = xNext;
                            continue;
                        }
                    }
                    boolean actOk = !actCheckFails(x.n, stateNew.action);
                    if (actOk
                            && (stateNew.flags & MATCH) != 0
                            && (stateNew.flags & N_FINISHED) != 0
                            && (stateNew.flags & X_PREFIX) != 0) {
                        cnt += treeRemove(chainsSlot, x.n);
                        if (chains == null) {
                            break;
                        }
                    } else if (actOk
                            && (stateNew.flags & MATCH) != 0
                            && (stateNew.flags & X_FINISHED) != 0
                            && (stateNew.flags & N_PREFIX) != 0) {
                        break;
                    }
                } else if (chainLt(x.n, n)) {
                    if ((state.flags & N_PREFIX) != 0) {
                        break;
                    }
                    for (int branch = 0; branch < 2; branch++) {
                        LibseccompNode sub = branch == 0 ? x.n.nxtT : x.n.nxtF;
                        if (sub == null) {
                            continue;
                        }
                        get(x.n);
                        State sn = state.copy();
                        sn.flags &= ~MATCH;
                        sn.flags |= X_PREFIX;
                        cnt += prune(branch == 0 ? nxtT(x.n) : nxtF(x.n), n, sn);
                        cnt += nodePut(x);
                        if ((sn.flags & MATCH) != 0) {
                            stateNew.flags |= sn.flags;
                            break outer;
                        }
                        if (x.n == null) {
                            x.n = xNext;
                            continue outer;
                        }
                    }
                } else {
                    if ((state.flags & X_PREFIX) != 0) {
                        break;
                    }
                    for (int branch = 0; branch < 2; branch++) {
                        LibseccompNode sub = branch == 0 ? n.nxtT : n.nxtF;
                        if (sub == null) {
                            continue;
                        }
                        get(x.n);
                        State sn = state.copy();
                        sn.flags &= ~MATCH;
                        sn.flags |= N_PREFIX;
                        cnt += prune(x, sub, sn);
                        cnt += nodePut(x);
                        if ((sn.flags & MATCH) != 0) {
                            stateNew.flags |= sn.flags;
                            break outer;
                        }
                        if (x.n == null) {
                            x.n = xNext;
                            continue outer;
                        }
                    }
                }
                x.n = xNext;
            } while (x.n != null);
            if (x.n == null) {
                stateNew.flags &= ~MATCH; // fell through the level: no match on it
            }
        }
        if ((stateNew.flags & MATCH) != 0) {
            state.flags |= stateNew.flags;
        } else {
            state.flags &= ~MATCH;
        }
        return cnt;
    }

    // ---- _db_tree_add ----

    private void treeAdd(LibseccompNode.Slot existing, LibseccompNode nw) throws ExistsException {
        LibseccompNode x = existing.get();
        LibseccompNode n = nw;
        do {
            if (chainEq(x, n)) {
                if (n.actTFlg) {
                    if (!x.actTFlg) {
                        if (actCheckFails(x.nxtT, n.actT)) {
                            throw new ExistsException();
                        }
                        nodePut(nxtT(x));
                        x.nxtT = null;
                        x.actT = n.actT;
                        x.actTFlg = true;
                    } else if (!n.actT.equals(x.actT)) {
                        if (n.hi && Long.compareUnsigned(n.datumFull, x.datumFull) > 0) {
                            x.actT = n.actT;
                        }
                        if (leaf(x) || leaf(n)) {
                            throw new ExistsException();
                        }
                    }
                }
                if (n.actFFlg) {
                    if (!x.actFFlg) {
                        if (actCheckFails(x.nxtF, n.actF)) {
                            throw new ExistsException();
                        }
                        nodePut(nxtF(x));
                        x.nxtF = null;
                        x.actF = n.actF;
                        x.actFFlg = true;
                    } else if (!n.actF.equals(x.actF)) {
                        if (n.hi && Long.compareUnsigned(n.datumFull, x.datumFull) < 0) {
                            x.actT = n.actT; // sic: libseccomp sets the true action here
                        }
                        if (leaf(x) || leaf(n)) {
                            throw new ExistsException();
                        }
                    }
                }
                if (n.nxtT != null) {
                    if (x.nxtT != null) {
                        treeAdd(nxtT(x), n.nxtT);
                    } else if (!x.actTFlg) {
                        x.nxtT = get(n.nxtT);
                    } else {
                        return;
                    }
                }
                if (n.nxtF != null) {
                    if (x.nxtF != null) {
                        treeAdd(nxtF(x), n.nxtF);
                    } else if (!x.actFFlg) {
                        x.nxtF = get(n.nxtF);
                    } else {
                        return;
                    }
                }
                return;
            } else if (!chainLt(x, n)) {
                if (x.lvlNxt == null) {
                    n.lvlPrv = get(x);
                    x.lvlNxt = get(n);
                    return;
                }
                x = x.lvlNxt;
            } else {
                if (x.lvlPrv != null) {
                    x.lvlPrv.lvlNxt = get(n);
                    n.lvlPrv = x.lvlPrv;
                    x.lvlPrv = get(n);
                    n.lvlNxt = x;
                } else {
                    x.lvlPrv = get(n);
                    n.lvlNxt = get(x);
                }
                if (existing.get() == x) {
                    existing.set(get(n));
                    nodePut(new LibseccompNode.Box(x));
                }
                return;
            }
        } while (x != null);
    }

    // ---- the generated filter (gen_bpf.c) ----

    /** The node's test on the raw argument registers ({@code args}, as the filter sees them). */
    boolean test(LibseccompNode n, long[] args) {
        long reg = is32 ? args[n.arg] & 0xFFFFFFFFL : args[n.arg];
        long word = n.hi ? reg >>> 32 : reg & 0xFFFFFFFFL;
        long w = word & n.mask;
        return switch (n.op) {
            case EQ, MASKED_EQ -> w == n.datum;
            case GT -> Long.compareUnsigned(w, n.datum) > 0;
            case GE -> Long.compareUnsigned(w, n.datum) >= 0;
            default -> throw new IllegalStateException("node op " + n.op);
        };
    }

    /** What the filter answers for these arguments: an action, or null for the default. */
    Action decide(long[] args) {
        if (!present) {
            return null;
        }
        return chains == null ? action : level(chains, args);
    }

    private Action level(LibseccompNode entry, long[] args) {
        LibseccompNode n = entry;
        while (n.lvlPrv != null) {
            n = n.lvlPrv;
        }
        for (; n != null; n = n.lvlNxt) {
            boolean t = test(n, args);
            Action a = t
                    ? (n.actTFlg ? n.actT : n.nxtT != null ? level(n.nxtT, args) : null)
                    : (n.actFFlg ? n.actF : n.nxtF != null ? level(n.nxtF, args) : null);
            if (a != null) {
                return a;
            }
        }
        return null;
    }
}
