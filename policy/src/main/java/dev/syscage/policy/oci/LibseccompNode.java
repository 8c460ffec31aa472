package dev.syscage.policy.oci;

import dev.syscage.policy.model.Action;

/**
 * A node of libseccomp's rule tree ({@code struct db_arg_chain_tree} in src/db.h): a test on
 * one 32-bit word of an argument ({@code hi}: the upper word), its true and false branches, an
 * action on either, the links to its neighbours on its level and a reference count. The static
 * helpers are db.c's node functions ({@code _db_node_get/_put}, {@code _db_tree_put},
 * {@code _db_level_clean}, {@code _db_tree_remove}, {@code _db_tree_act_check},
 * {@code _db_chain_eq/_lt}), kept with their pointer and reference-count behaviour because
 * whether a node is unlinked depends on it. Used by {@link LibseccompTree}.
 */
final class LibseccompNode {
    int arg;
    boolean hi;
    OciProfile.Op op;
    OciProfile.Op opOrig;
    long mask;
    long datum;
    long datumFull;
    LibseccompNode nxtT;
    LibseccompNode nxtF;
    LibseccompNode lvlPrv;
    LibseccompNode lvlNxt;
    boolean actTFlg;
    boolean actFFlg;
    Action actT;
    Action actF;
    int refcnt;

    /** A pointer to a node pointer ({@code struct db_arg_chain_tree **}). */
    interface Slot {
        LibseccompNode get();

        void set(LibseccompNode n);
    }

    static final class Box implements Slot {
        LibseccompNode n;

        Box(LibseccompNode n) {
            this.n = n;
        }

        @Override
        public LibseccompNode get() {
            return n;
        }

        @Override
        public void set(LibseccompNode v) {
            n = v;
        }
    }

    static LibseccompNode get(LibseccompNode n) {
        if (n != null) {
            n.refcnt++;
        }
        return n;
    }

    static boolean chainEq(LibseccompNode a, LibseccompNode b) {
        return argPriority(a) == argPriority(b) && a.op == b.op && a.datum == b.datum && a.mask == b.mask;
    }

    static int argPriority(LibseccompNode a) {
        return (a.arg << 1) + (a.hi ? 1 : 0);
    }

    static int opPriority(OciProfile.Op op) {
        return switch (op) {
            case MASKED_EQ, EQ, NE -> 3;
            case LE, LT -> 2;
            case GE, GT -> 1;
        };
    }

    static boolean chainLt(LibseccompNode a, LibseccompNode b) {
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

    static boolean leaf(LibseccompNode n) {
        return n.nxtT == null && n.nxtF == null;
    }

    static boolean zombie(LibseccompNode n) {
        return leaf(n) && !n.actTFlg && !n.actFFlg;
    }

    static int levelClean(LibseccompNode node) {
        int cnt = 0;
        LibseccompNode n = node;
        while (n.lvlPrv != null) {
            n = n.lvlPrv;
        }
        LibseccompNode start = n;
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

    static int treePut(Slot tree) {
        int cnt = nodePut(tree);
        if (tree.get() != null) {
            cnt += levelClean(tree.get());
        }
        return cnt;
    }

    static int nodePut(Slot node) {
        int cnt = 0;
        LibseccompNode n = node.get();
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

    static Slot nxtT(LibseccompNode n) {
        return new Slot() {
            @Override
            public LibseccompNode get() {
                return n.nxtT;
            }

            @Override
            public void set(LibseccompNode v) {
                n.nxtT = v;
            }
        };
    }

    static Slot nxtF(LibseccompNode n) {
        return new Slot() {
            @Override
            public LibseccompNode get() {
                return n.nxtF;
            }

            @Override
            public void set(LibseccompNode v) {
                n.nxtF = v;
            }
        };
    }

    static int treeRemove(Slot tree, LibseccompNode node) {
        int cnt = 0;
        if (tree == null || tree.get() == null || node == null) {
            return 0;
        }
        LibseccompNode c = tree.get();
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

    static boolean actCheckFails(LibseccompNode tree, Action act) {
        if (tree == null) {
            return false;
        }
        LibseccompNode c = tree;
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
}
