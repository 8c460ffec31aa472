package dev.syscage.policy.oci;

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
 * depends on them. It is checked against the real libseccomp by {@code LibseccompDifferentialTest}.
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

    /** A node: a test on one 32-bit word of an argument ({@code hi}: the upper word), its branches and level links. */
    static final class Node {
        int arg;
        boolean hi;
        OciProfile.Op op;
        OciProfile.Op opOrig;
        long mask;
        long datum;
        long datumFull;
        Node nxtT;
        Node nxtF;
        Node lvlPrv;
        Node lvlNxt;
        boolean actTFlg;
        boolean actFFlg;
        Action actT;
        Action actF;
        int refcnt;
    }

    /** A pointer to a node pointer ({@code struct db_arg_chain_tree **}). */
    private interface Slot {
        Node get();

        void set(Node n);
    }

    private static final class Box implements Slot {
        Node n;

        Box(Node n) {
            this.n = n;
        }

        @Override
        public Node get() {
            return n;
        }

        @Override
        public void set(Node v) {
            n = v;
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
    private Node chains;
    private Action action;

    /** For an architecture whose registers are {@code registerBits} wide. */
    LibseccompTree(int registerBits) {
        this.is32 = registerBits == 32;
    }

    private final Slot chainsSlot = new Slot() {
        @Override
        public Node get() {
            return chains;
        }

        @Override
        public void set(Node n) {
            chains = n;
        }
    };

    /** The unconditional action, or null when the syscall has conditional chains (or no rule). */
    Action unconditional() {
        return present && chains == null ? action : null;
    }

    /** The first node of the top level, or null. */
    Node top() {
        return chains;
    }

    // ---- rule generation (_db_rule_gen, _db_rule_gen_arg_64/_32) ----

    /** {@code db_rule_add} for a rule with these comparisons (at most one per argument, as runc makes them). */
    void add(Action act, List<OciProfile.Arg> args) throws ExistsException {
        OciProfile.Arg[] chain = new OciProfile.Arg[6];
        for (OciProfile.Arg a : args) {
            chain[a.index()] = a;
        }
        Node newChains = null;
        Node[] prev = new Node[4];
        boolean[] tf = {false};
        for (int i = 0; i < 6; i++) {
            if (chain[i] == null) {
                continue;
            }
            Node first = is32 ? gen32(chain[i], prev, tf) : gen64(chain[i], prev, tf);
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

    private static long mask(OciProfile.Arg a) {
        return a.op() == OciProfile.Op.MASKED_EQ ? a.value() : -1L;
    }

    private static long datum(OciProfile.Arg a) {
        return a.op() == OciProfile.Op.MASKED_EQ ? a.valueTwo() : a.value();
    }

    private static long lo(long v) {
        return v & 0xFFFFFFFFL;
    }

    private static long hi(long v) {
        return v >>> 32;
    }

    private static void link(Node[] prev, boolean tf, Node to) {
        for (int i = 0; prev[i] != null; i++) {
            if (tf) {
                prev[i].nxtT = get(to);
            } else {
                prev[i].nxtF = get(to);
            }
        }
        prev[0] = prev[1] = prev[2] = prev[3] = null;
    }

    private static Node gen64(OciProfile.Arg a, Node[] prev, boolean[] tf) {
        long mask = mask(a);
        long datum = datum(a);
        boolean masked = a.op() == OciProfile.Op.MASKED_EQ;
        if (masked && hi(mask) == 0 && lo(mask) == 0) {
            return null;
        }
        Node c0 = new Node();
        Node c1 = new Node();
        Node c2 = new Node();
        link(prev, tf[0], c0);
        switch (a.op()) {
            case GT, GE, LE, LT -> {
                for (Node n : List.of(c0, c1, c2)) {
                    n.arg = a.index();
                    n.datumFull = datum;
                    n.opOrig = a.op();
                }
                c0.hi = true;
                c1.hi = true;
                c2.hi = false;
                c0.mask = hi(mask);
                c1.mask = hi(mask);
                c2.mask = lo(mask);
                c0.datum = hi(datum) & c0.mask;
                c1.datum = hi(datum) & c1.mask;
                c2.datum = lo(datum) & c2.mask;
                c0.op = OciProfile.Op.GT;
                c1.op = OciProfile.Op.EQ;
                c2.op = a.op() == OciProfile.Op.GT || a.op() == OciProfile.Op.LE ? OciProfile.Op.GT : OciProfile.Op.GE;
                c0.nxtF = get(c1);
                c1.nxtT = get(c2);
            }
            default -> {
                c2 = null;
                for (Node n : List.of(c0, c1)) {
                    n.arg = a.index();
                    n.datumFull = datum;
                    n.opOrig = a.op();
                    n.op = masked ? OciProfile.Op.MASKED_EQ : OciProfile.Op.EQ;
                }
                c0.hi = true;
                c1.hi = false;
                c0.mask = hi(mask);
                c1.mask = lo(mask);
                c0.datum = hi(datum) & c0.mask;
                c1.datum = lo(datum) & c1.mask;
                c0.nxtT = get(c1);
            }
        }
        switch (a.op()) {
            case GT, GE -> {
                prev[0] = c0;
                prev[1] = c2;
                tf[0] = true;
            }
            case EQ, MASKED_EQ -> {
                prev[0] = c1;
                tf[0] = true;
            }
            case LE, LT -> {
                prev[0] = c1;
                prev[1] = c2;
                tf[0] = false;
            }
            case NE -> {
                prev[0] = c0;
                prev[1] = c1;
                tf[0] = false;
            }
        }
        return c0;
    }

    private static Node gen32(OciProfile.Arg a, Node[] prev, boolean[] tf) {
        long mask = mask(a);
        if (a.op() == OciProfile.Op.MASKED_EQ && lo(mask) == 0) {
            return null;
        }
        Node c = new Node();
        c.arg = a.index();
        c.hi = false;
        c.op = a.op();
        c.opOrig = a.op();
        c.mask = lo(mask); // the 32-bit node keeps only the lower half
        c.datum = lo(datum(a));
        c.datumFull = lo(datum(a));
        for (int i = 0; prev[i] != null; i++) {
            if (tf[0]) {
                prev[i].nxtT = get(c);
            } else {
                prev[i].nxtF = get(c);
            }
        }
        prev[0] = c;
        prev[1] = null;
        switch (c.op) {
            case NE -> {
                c.op = OciProfile.Op.EQ;
                tf[0] = false;
            }
            case LT -> {
                c.op = OciProfile.Op.GE;
                tf[0] = false;
            }
            case LE -> {
                c.op = OciProfile.Op.GT;
                tf[0] = false;
            }
            default -> tf[0] = true;
        }
        c.datum &= c.mask;
        return c;
    }

    // ---- db_rule_add ----

    private void ruleAdd(Node newChains, Action act) throws ExistsException {
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

    // ---- node helpers ----

    private static Node get(Node n) {
        if (n != null) {
            n.refcnt++;
        }
        return n;
    }

    private static boolean chainEq(Node a, Node b) {
        return argPriority(a) == argPriority(b) && a.op == b.op && a.datum == b.datum && a.mask == b.mask;
    }

    private static int argPriority(Node a) {
        return (a.arg << 1) + (a.hi ? 1 : 0);
    }

    private static int opPriority(OciProfile.Op op) {
        return switch (op) {
            case MASKED_EQ, EQ, NE -> 3;
            case LE, LT -> 2;
            case GE, GT -> 1;
        };
    }

    private static boolean chainLt(Node a, Node b) {
        int aa = argPriority(a);
        int ba = argPriority(b);
        if (aa != ba) {
            return aa < ba;
        }
        int ao = opPriority(a.opOrig);
        int bo = opPriority(b.opOrig);
        if (ao != bo) {
            return ao < bo;
        }
        if (a.opOrig == OciProfile.Op.LE || a.opOrig == OciProfile.Op.LT) {
            return Long.compareUnsigned(a.datum, b.datum) > 0;
        }
        return Long.compareUnsigned(a.datum, b.datum) < 0;
    }

    private static boolean leaf(Node n) {
        return n.nxtT == null && n.nxtF == null;
    }

    private static boolean zombie(Node n) {
        return leaf(n) && !n.actTFlg && !n.actFFlg;
    }

    private static int levelClean(Node node) {
        int cnt = 0;
        Node n = node;
        while (n.lvlPrv != null) {
            n = n.lvlPrv;
        }
        Node start = n;
        while (n != null) {
            int links = (n.lvlPrv != null ? 1 : 0) + (n.lvlNxt != null ? 1 : 0);
            if (n.refcnt > links) {
                return cnt;
            }
            n = n.lvlNxt;
        }
        Box b = new Box(start);
        while (b.n != null) {
            cnt += nodePut(b);
        }
        return cnt;
    }

    private static int treePut(Slot tree) {
        int cnt = nodePut(tree);
        if (tree.get() != null) {
            cnt += levelClean(tree.get());
        }
        return cnt;
    }

    private static int nodePut(Slot node) {
        int cnt = 0;
        Node n = node.get();
        if (n == null) {
            return 0;
        }
        if (--n.refcnt == 0) {
            Box lvlP = new Box(n.lvlPrv);
            Box lvlN = new Box(n.lvlNxt);
            Box nxtT = new Box(n.nxtT);
            Box nxtF = new Box(n.nxtF);
            if (lvlP.n != null) {
                lvlP.n.lvlNxt = null;
            }
            if (lvlN.n != null) {
                lvlN.n.lvlPrv = null;
            }
            if (lvlP.n != null) {
                cnt += nodePut(lvlP);
            }
            if (lvlN.n != null) {
                cnt += nodePut(lvlN);
            }
            if (lvlP.n != null) {
                lvlP.n.lvlNxt = get(lvlN.n);
            }
            if (lvlN.n != null) {
                lvlN.n.lvlPrv = get(lvlP.n);
            }
            node.set(lvlP.n != null ? lvlP.n : lvlN.n);
            cnt += treePut(nxtT);
            cnt += treePut(nxtF);
            cnt++;
        }
        return cnt;
    }

    private static Slot nxtT(Node n) {
        return new Slot() {
            @Override
            public Node get() {
                return n.nxtT;
            }

            @Override
            public void set(Node v) {
                n.nxtT = v;
            }
        };
    }

    private static Slot nxtF(Node n) {
        return new Slot() {
            @Override
            public Node get() {
                return n.nxtF;
            }

            @Override
            public void set(Node v) {
                n.nxtF = v;
            }
        };
    }

    private static int treeRemove(Slot tree, Node node) {
        int cnt = 0;
        if (tree == null || tree.get() == null || node == null) {
            return 0;
        }
        Node c = tree.get();
        while (c.lvlPrv != null) {
            c = c.lvlPrv;
        }
        boolean remove = false;
        do {
            if (c == node) {
                remove = true;
                break;
            }
            cnt += treeRemove(nxtT(c), node);
            cnt += treeRemove(nxtF(c), node);
            if (zombie(c)) {
                remove = true;
                break;
            }
            c = c.lvlNxt;
        } while (c != null && cnt == 0);
        if (!remove) {
            return cnt;
        }
        if (c == tree.get()) {
            tree.set(c.lvlPrv != null ? c.lvlPrv : c.lvlNxt);
        }
        if (c.lvlPrv != null) {
            c.lvlPrv.lvlNxt = c.lvlNxt;
        }
        if (c.lvlNxt != null) {
            c.lvlNxt.lvlPrv = c.lvlPrv;
        }
        c.lvlPrv = null;
        c.lvlNxt = null;
        cnt += nodePut(new Box(c));
        return cnt;
    }

    private static boolean actCheckFails(Node tree, Action act) {
        if (tree == null) {
            return false;
        }
        Node c = tree;
        while (c.lvlPrv != null) {
            c = c.lvlPrv;
        }
        do {
            if (c.actTFlg && !c.actT.equals(act)) {
                return true;
            }
            if (c.actFFlg && !c.actF.equals(act)) {
                return true;
            }
            if (actCheckFails(c.nxtT, act) || actCheckFails(c.nxtF, act)) {
                return true;
            }
            c = c.lvlNxt;
        } while (c != null);
        return false;
    }

    // ---- _db_tree_prune ----

    private int prune(Slot existing, Node nw, State state) {
        int cnt = 0;
        State stateNew = state.copy();
        Box x = new Box(existing.get());
        Node n = nw;
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
                Node xNext = x.n.lvlNxt;
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
                        if (n.actTFlg != x.n.actTFlg || !java.util.Objects.equals(n.actT, x.n.actT)
                                || n.actFFlg != x.n.actFFlg || !java.util.Objects.equals(n.actF, x.n.actF)) {
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
                    if (actOk && (stateNew.flags & MATCH) != 0 && (stateNew.flags & N_FINISHED) != 0
                            && (stateNew.flags & X_PREFIX) != 0) {
                        cnt += treeRemove(chainsSlot, x.n);
                        if (chains == null) {
                            break;
                        }
                    } else if (actOk && (stateNew.flags & MATCH) != 0 && (stateNew.flags & X_FINISHED) != 0
                            && (stateNew.flags & N_PREFIX) != 0) {
                        break;
                    }
                } else if (chainLt(x.n, n)) {
                    if ((state.flags & N_PREFIX) != 0) {
                        break;
                    }
                    for (int branch = 0; branch < 2; branch++) {
                        Node sub = branch == 0 ? x.n.nxtT : x.n.nxtF;
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
                        Node sub = branch == 0 ? n.nxtT : n.nxtF;
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

    private void treeAdd(Slot existing, Node nw) throws ExistsException {
        Node x = existing.get();
        Node n = nw;
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
                    nodePut(new Box(x));
                }
                return;
            }
        } while (x != null);
    }

    // ---- the generated filter (gen_bpf.c) ----

    /** The node's test on the raw argument registers ({@code args}, as the filter sees them). */
    boolean test(Node n, long[] args) {
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

    private Action level(Node entry, long[] args) {
        Node n = entry;
        while (n.lvlPrv != null) {
            n = n.lvlPrv;
        }
        for (; n != null; n = n.lvlNxt) {
            boolean t = test(n, args);
            Action a = t ? (n.actTFlg ? n.actT : n.nxtT != null ? level(n.nxtT, args) : null)
                    : (n.actFFlg ? n.actF : n.nxtF != null ? level(n.nxtF, args) : null);
            if (a != null) {
                return a;
            }
        }
        return null;
    }
}
