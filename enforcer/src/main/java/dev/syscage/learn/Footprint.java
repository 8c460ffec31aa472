package dev.syscage.learn;

import dev.syscage.policy.landlock.FsAccess;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a learned program did to the file system, in Landlock's terms: for each real path, the
 * rights its calls needed there ({@code FsAccess} bits: read and write on the file opened,
 * execute on the file executed and its interpreter, create, remove and rename on the directory
 * changed), whether it is a directory, and how many accesses (a call that reads, and one that
 * changes, is one access each; an {@code O_RDWR} open is both); the paths the run itself made (they
 * will not be there before the next run, so no rule can be bound to them); and whether the
 * program reached processes outside its own tree by signal or abstract UNIX socket (then the
 * learned profile does not scope that away). {@link FsGrouping} turns it into rules.
 *
 * @param touches        by real path
 * @param made           paths that did not exist when the run created them
 * @param signalsOutside a signal was sent to a process outside the program's tree
 * @param abstractOutside an abstract UNIX socket the program did not bind was connected or sent to
 * @param refused        syscalls made that any Landlock domain refuses (mount, pivot_root, ...), with counts
 */
public record Footprint(
        SortedMap<String, Touch> touches,
        SortedSet<String> made,
        boolean signalsOutside,
        boolean abstractOutside,
        SortedMap<String, Long> refused) {

    /**
     * What one path saw: {@code FsAccess} bits, whether it is a directory, how many calls read or
     * executed it ({@code reads}) and how many changed it or what is in it ({@code changes}).
     */
    public record Touch(long access, boolean directory, long reads, long changes) {
        static final long READS = FsAccess.READ_FILE | FsAccess.READ_DIR | FsAccess.EXECUTE;

        static Touch of(long access, boolean directory, long calls) {
            return new Touch(access, directory, (access & READS) != 0 ? calls : 0, (access & ~READS) != 0 ? calls : 0);
        }

        Touch plus(Touch t) {
            return new Touch(access | t.access, directory, reads + t.reads, changes + t.changes);
        }

        public long accesses() {
            return reads + changes;
        }
    }

    public static final Footprint EMPTY =
            new Footprint(new TreeMap<>(), new TreeSet<>(), false, false, new TreeMap<>());

    public Footprint {
        touches = Collections.unmodifiableSortedMap(new TreeMap<>(touches));
        made = Collections.unmodifiableSortedSet(new TreeSet<>(made));
        refused = Collections.unmodifiableSortedMap(new TreeMap<>(refused));
    }

    /** How many accesses of the program Landlock checks (see {@link Touch}). */
    public long accesses() {
        return touches.values().stream().mapToLong(Touch::accesses).sum();
    }

    /** A footprint built one touch at a time (tests, and {@link FsRecorder}). */
    public static final class Builder {
        private final Map<String, Touch> touches = new TreeMap<>();
        private final SortedSet<String> made = new TreeSet<>();
        private final SortedMap<String, Long> refused = new TreeMap<>();
        private boolean signalsOutside;
        private boolean abstractOutside;

        public Builder touch(String path, long access, boolean directory) {
            return touch(path, access, directory, 1);
        }

        public Builder touch(String path, long access, boolean directory, long calls) {
            touches.merge(path, Touch.of(access, directory, calls), Touch::plus);
            return this;
        }

        public Builder made(String path) {
            made.add(path);
            return this;
        }

        public Builder signalsOutside() {
            signalsOutside = true;
            return this;
        }

        public Builder abstractOutside() {
            abstractOutside = true;
            return this;
        }

        public Builder refused(String syscall) {
            refused.merge(syscall, 1L, Long::sum);
            return this;
        }

        public Footprint build() {
            return new Footprint(new TreeMap<>(touches), made, signalsOutside, abstractOutside, refused);
        }
    }
}
