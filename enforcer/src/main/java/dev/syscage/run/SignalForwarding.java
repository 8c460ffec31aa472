package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import sun.misc.Signal;

/**
 * Passes SIGTERM and SIGHUP sent to syscage on to the program, and SIGINT too unless syscage
 * runs on a terminal (then Ctrl-C already reaches the whole foreground process group, and a
 * second copy would be one too many).
 */
final class SignalForwarding {
    private SignalForwarding() {
    }

    static void to(LinuxCLibrary libc, long pid) {
        for (String name : new String[] {"TERM", "HUP"}) {
            Signal.handle(new Signal(name), sig -> libc.kill((int) pid, sig.getNumber()));
        }
        if (System.console() == null) {
            Signal.handle(new Signal("INT"), sig -> libc.kill((int) pid, sig.getNumber()));
        } else {
            Signal.handle(new Signal("INT"), sig -> { });
        }
    }
}
