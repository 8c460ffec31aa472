package dev.syscage.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.auditlog.AuditRun;
import dev.syscage.auditlog.CallRecord;
import dev.syscage.auditlog.EndRecord;
import dev.syscage.run.RunTest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The report page of a real supervised run, opened in a real browser: Debian's headless
 * chromium, driven by its chromedriver through Selenium (both at /usr/bin, so that Selenium
 * Manager never downloads anything). The page loads with nothing in the browser's console (a
 * fetch the page's Content-Security-Policy refused would be there), the charts are drawn with a
 * size, and every number and denied call the page shows is what this test counts in the log
 * itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReportBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path dir;

    private Path log;
    private ChromeDriver browser;
    private List<LogEntry> console;

    @BeforeAll
    void runRenderAndOpen() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no headless browser here: install Debian's chromium and chromium-driver (/usr/bin/chromium, "
                        + "/usr/bin/chromedriver)");
        RealRun.run(dir);
        log = dir.resolve("audit.jsonl");
        Path page = dir.resolve("report.html");
        RunTest.Result r = RealRun.report(log.toString(), "-o", page.toString());
        assertEquals(0, r.code(), r.err());
        browser = open();
        browser.get(page.toUri().toString());
        console = browser.manage().logs().get(LogType.BROWSER).getAll();
    }

    private static ChromeDriver open() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,1200");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    void close() {
        if (browser != null) {
            browser.quit(); // ends chromium and chromedriver
        }
    }

    @Test
    void thePageLoadsWithNothingInTheConsoleAndFetchesNothing() {
        List<String> problems = console.stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogEntry::toString)
                .toList();
        assertEquals(List.of(), problems, "the browser's console");
        Object fetched = ((JavascriptExecutor) browser)
                .executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
        assertEquals(List.of(), fetched, "resources the page loaded");
        assertEquals("complete", ((JavascriptExecutor) browser).executeScript("return document.readyState"));
        // and the console is really read: an error logged now is seen
        ((JavascriptExecutor) browser).executeScript("console.error('syscage report test: probe')");
        assertTrue(
                browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .anyMatch(e ->
                                e.getLevel() == Level.SEVERE && e.getMessage().contains("probe")),
                "the probe is not seen");
    }

    @Test
    void theChartsAreDrawn() throws Exception {
        assertDrawn(browser.findElement(By.id("histogram-chart")));
        assertDrawn(browser.findElement(By.id("timeline-chart")));
        List<WebElement> bars = browser.findElements(By.cssSelector("#histogram-chart rect.bar"));
        assertTrue(!bars.isEmpty(), "no bars");
        bars.forEach(ReportBrowserTest::assertDrawn);
        List<WebElement> ticks = browser.findElements(By.cssSelector("#timeline-chart rect.tick"));
        assertTrue(!ticks.isEmpty(), "no marks on the timeline");
        ticks.forEach(ReportBrowserTest::assertDrawn);
        // every call is on the timeline, in the lane of its thread
        Map<String, Long> byTid = RealRun.calls(log).stream()
                .filter(c -> c.pid() > 0)
                .collect(Collectors.groupingBy(c -> String.valueOf(c.tid()), TreeMap::new, Collectors.counting()));
        Map<String, Long> lanes = new TreeMap<>();
        for (WebElement lane : browser.findElements(By.cssSelector("#timeline-chart g.lane"))) {
            lanes.put(lane.getDomAttribute("data-tid"), Long.parseLong(lane.getDomAttribute("data-calls")));
        }
        assertEquals(byTid, lanes);
        assertTrue(byTid.size() >= 4, "the shell, opens and three threads: " + byTid);
    }

    private static void assertDrawn(WebElement e) {
        Rectangle r = e.getRect();
        assertTrue(
                r.getWidth() > 0 && r.getHeight() > 0,
                e.getTagName() + " " + e.getDomAttribute("class") + " is " + r.getWidth() + "x" + r.getHeight());
    }

    @Test
    void theHistogramShowsTheLogsCounts() throws Exception {
        Map<String, Map<String, Long>> expected = RealRun.counts(log);
        Map<String, Map<String, Long>> table = new TreeMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#histogram-table tbody tr"))) {
            Map<String, Long> cells = new TreeMap<>();
            for (WebElement cell : row.findElements(By.cssSelector("td[data-decision]"))) {
                long n = Long.parseLong(cell.getText());
                String decision = cell.getDomAttribute("data-decision");
                if (n > 0 && !decision.equals("total")) {
                    cells.put(decision, n);
                }
            }
            table.put(row.findElement(By.tagName("td")).getText(), cells);
        }
        assertEquals(expected, table);
        Map<String, Map<String, Long>> bars = new TreeMap<>();
        for (WebElement bar : browser.findElements(By.cssSelector("#histogram-chart rect.bar"))) {
            bars.computeIfAbsent(bar.getDomAttribute("data-syscall"), s -> new TreeMap<>())
                    .put(bar.getDomAttribute("data-decision"), Long.parseLong(bar.getDomAttribute("data-count")));
        }
        assertEquals(expected, bars);
        assertEquals(8L, (long) expected.get("openat").get("errno"), expected.toString());
    }

    @Test
    void theDeniedCallsAreTheLogsWithTheirRulesAndPaths() throws Exception {
        List<String> expected = new ArrayList<>();
        for (CallRecord c : RealRun.calls(log)) {
            if (c.decision().equals("errno") || c.decision().equals("kill")) {
                expected.add(c.seq() + " " + c.pid() + "/" + c.tid() + " "
                        + (c.decision().equals("kill") ? "KILL" : c.errnoName()) + " " + c.rule() + " " + c.path());
            }
        }
        List<String> shown = new ArrayList<>();
        for (WebElement row : browser.findElements(By.cssSelector("#denied-table tbody tr"))) {
            shown.add(field(row, "seq") + " " + field(row, "pid") + " " + field(row, "outcome") + " "
                    + field(row, "rule") + " "
                    + row.findElement(By.cssSelector("code[data-path=path]")).getText());
        }
        assertEquals(expected, shown);
        assertTrue(
                shown.stream().anyMatch(s -> s.endsWith(dir.resolve("p.yaml") + ":12 denied/secret")),
                shown.toString());
    }

    private static String field(WebElement row, String name) {
        return row.findElement(By.cssSelector("td[data-field=" + name + "]")).getText();
    }

    @Test
    void theHeaderAndTheProcessTreeAreTheRuns() throws Exception {
        AuditRun run = RealRun.read(log);
        EndRecord end = run.end().orElseThrow();
        assertEquals(
                run.id(),
                browser.findElement(By.cssSelector("dd[data-field=run]")).getText());
        assertEquals(
                String.valueOf(end.exit()),
                browser.findElement(By.cssSelector("dd[data-field=exit]")).getText());
        assertEquals(
                end.policy(),
                browser.findElement(By.cssSelector("dd[data-field=policy]")).getText());
        assertTrue(browser.findElement(By.cssSelector("dd[data-field=command]"))
                .getText()
                .startsWith("/bin/sh -c "));
        assertEquals(
                String.valueOf(end.calls()),
                browser.findElement(By.id("coverage")).getDomAttribute("data-calls"));
        Set<String> pids = new TreeSet<>();
        RealRun.calls(log).stream().filter(c -> c.pid() > 0).forEach(c -> pids.add(String.valueOf(c.pid())));
        Set<String> shown = new TreeSet<>();
        browser.findElements(By.cssSelector("#process-tree li"))
                .forEach(li -> shown.add(li.getDomAttribute("data-pid")));
        assertEquals(pids, shown);
    }
}
