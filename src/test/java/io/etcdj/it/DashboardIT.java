package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: headless Chromium driven through the system's chromedriver, on
 * a cluster of three real machines. It checks what an operator relies on: the cluster view names
 * every machine and the leader and draws live charts; keys created, edited and deleted in the
 * browser are what the API reads; a change made through the API shows up in the browser's watch;
 * and a follower's dashboard does all of it too (its writes and the leader's statistics reach the
 * leader through redirects). Screenshots go to {@code target/dashboard-screenshots}.
 *
 * <p>Selenium is pointed at {@code /usr/bin/chromedriver} and {@code /usr/bin/chromium} so that it
 * never fetches a driver. Without them the test is skipped, except under CI ({@code CI=true}),
 * whose script installs them: there their absence is a failure.
 */
@Timeout(120)
class DashboardIT {
    private static final String DRIVER = "/usr/bin/chromedriver";
    private static final String BROWSER = "/usr/bin/chromium";
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** The dashboard's screenshot in docs/ is a copy of {@code dashboard.png} from here. */
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    private static final String ALLOWED_ORIGIN = "http://ops.example:8080";

    private static EtcdCluster cluster;
    private static WebDriver browser;
    private static Path profile;

    @BeforeAll
    static void start() throws IOException {
        boolean present = new File(DRIVER).canExecute() && new File(BROWSER).canExecute();
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(DRIVER + " and " + BROWSER + " are needed (apt-get install chromium chromium-driver)");
        }
        assumeTrue(present, "no " + DRIVER + " or " + BROWSER + ": the browser test is skipped");
        Files.createDirectories(SCREENSHOTS);
        // A browser starting and drawing on a 2-core machine can starve the members for longer than
        // the default 200 ms election timeout; these tests are about the page, not elections.
        cluster = EtcdCluster.start(3, List.of("-cors", ALLOWED_ORIGIN, "-peer-election-timeout", "2000"));
        profile = Files.createTempDirectory("etcdj-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1360,1000", "--no-first-run", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(WAIT);
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (profile != null) {
            deleteTree(profile);
        }
    }

    @Test
    void anOperatorSeesTheClusterAndEditsKeysFromAnyMember() throws Exception {
        cluster.showLogsOnFailure(() -> {
            int leader = cluster.leader();
            int follower = cluster.follower();

            // the leader's dashboard lists the three machines, marks the leader and draws points
            open(leader, "");
            awaitClusterView();
            screenshot("cluster-leader");

            // a key created in the browser is what the API reads
            open(leader, "#keys/");
            create("dash/greeting", "hello");
            awaitApiValue("dash/greeting", "hello");

            // a watch of the directory shows a change made through the API
            open(leader, "#keys/dash/");
            awaitRow("/dash/greeting");
            click("watch-toggle");
            await("the watch to start", d -> text("watch-state").startsWith("live"));
            assertTrue(cluster.put(follower, "dash/from-api", "set elsewhere").isSuccess());
            await("the watch to show the API's change",
                    d -> !d.findElements(By.cssSelector("#watch-log li[data-key='/dash/from-api'][data-action='set']")).isEmpty());
            awaitRow("/dash/from-api");

            // editing: the new value is what the API reads
            clickRow("/dash/greeting");
            await("the detail of /dash/greeting", d -> text("detail-key").equals("/dash/greeting"));
            WebElement value = browser.findElement(By.id("detail-value"));
            value.clear();
            value.sendKeys("hello again");
            click("save-key");
            awaitApiValue("dash/greeting", "hello again");
            await("the watch to show the edit",
                    d -> d.findElement(By.cssSelector("#watch-log li")).getText().contains("hello again"));

            // an error from the API is shown in words
            create("greeting", "twice");
            await("the error banner", d -> text("error-text").contains("Key already exists"));
            screenshot("keys-leader");

            // deleting: the API no longer finds the key, the list no longer shows it
            clickRow("/dash/from-api");
            await("the detail of /dash/from-api", d -> text("detail-key").equals("/dash/from-api"));
            click("delete-key");
            click("confirm-delete");
            EtcdCluster.poll(WAIT, "the API to lose /dash/from-api",
                    () -> cluster.get(leader, "dash/from-api").status() == 404 ? true : null);
            await("the row of /dash/from-api to go",
                    d -> d.findElements(By.cssSelector("#key-list tr[data-key='/dash/from-api']")).isEmpty());
            await("the watch to show the delete",
                    d -> !d.findElements(By.cssSelector("#watch-log li[data-key='/dash/from-api'][data-action='delete']")).isEmpty());
            screenshot("keys-watch");

            // a follower's dashboard: the same cluster view, and its writes reach the leader
            open(follower, "");
            awaitClusterView();
            await("the follower to say it follows", d -> "follower".equals(
                    d.findElement(By.id("whoami")).getAttribute("data-state")));
            screenshot("cluster-follower");
            open(follower, "#keys/dash/");
            awaitRow("/dash/greeting");
            create("via-follower", "written through " + cluster.name(follower));
            awaitApiValue("dash/via-follower", "written through " + cluster.name(follower));
            awaitRow("/dash/via-follower");
            screenshot("keys-follower");

            // a few seconds of history under some writes: the picture of the README
            open(follower, "");
            awaitClusterView();
            int[] writes = {0};
            await("twelve seconds of latency samples", d -> {
                writes[0]++;
                cluster.put(leader, "load/k" + writes[0] % 5, "v" + writes[0]);
                return points(d, "latency-chart") >= 2 * 12;
            });
            screenshot("dashboard");
        });
    }

    @Test
    void corsAllowsTheFlagsOriginsAndTheMachinesButNoOtherOrigin() throws Exception {
        cluster.showLogsOnFailure(() -> {
            int follower = cluster.follower();
            HttpClient http = HttpClient.newHttpClient();
            String other = cluster.machine(cluster.leader()).clientUrl();
            for (String origin : List.of(ALLOWED_ORIGIN, other, "http://elsewhere.example")) {
                for (String method : List.of("GET", "OPTIONS")) {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                    URI.create(cluster.machine(follower).clientUrl() + "/v2/keys/"))
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .header("Origin", origin).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, answer.statusCode(), method + " from " + origin);
                    String allowed = answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null);
                    assertEquals(origin.equals("http://elsewhere.example") ? null : origin, allowed,
                            method + " from " + origin);
                }
            }
        });
    }

    private void open(int machine, String fragment) {
        browser.get(cluster.machine(machine).clientUrl() + "/mod/dashboard/" + fragment);
        // a new fragment on the same page only changes the view; make the load explicit
        browser.navigate().refresh();
    }

    /**
     * Waits until the page lists three machines and marks as leader the one the cluster reports as
     * leader now: a browser starting on a 2-core machine can starve the members into an election.
     */
    private void awaitClusterView() {
        await("three machines with the cluster's leader marked leader", d -> {
            String leaderName = cluster.name(cluster.leader());
            List<WebElement> rows = d.findElements(By.cssSelector("#machines tbody tr"));
            List<WebElement> leaders = d.findElements(By.cssSelector("#machines tbody tr[data-role='leader']"));
            return rows.size() == 3 && leaders.size() == 1 && leaderName.equals(leaders.get(0).getAttribute("data-name"));
        });
        await("points in the latency chart", d -> points(d, "latency-chart") > 0);
        await("points in the store chart", d -> points(d, "store-chart") > 0);
    }

    /** Read in one script: the chart is redrawn every second, so an element found earlier may be gone. */
    private static int points(WebDriver d, String chart) {
        Object n = ((JavascriptExecutor) d).executeScript("var svg = document.querySelector('#' + arguments[0] + ' svg');"
                + " return svg ? Number(svg.getAttribute('data-points')) : 0;", chart);
        return ((Number) n).intValue();
    }

    private void create(String name, String value) {
        WebElement field = browser.findElement(By.id("new-key-name"));
        field.clear();
        field.sendKeys(name);
        WebElement text = browser.findElement(By.id("new-key-value"));
        text.clear();
        text.sendKeys(value);
        click("create-key");
    }

    private void awaitRow(String key) {
        await("the row of " + key, d -> !d.findElements(By.cssSelector("#key-list tr[data-key='" + key + "']")).isEmpty());
    }

    private void awaitApiValue(String key, String value) {
        JsonNode node = cluster.awaitValue(cluster.leader(), key, value, WAIT);
        assertEquals(value, node.path("value").asText());
    }

    private void click(String id) {
        await("a click on " + id, d -> {
            WebElement e = d.findElement(By.id(id));
            if (!e.isDisplayed() || !e.isEnabled()) {
                return false;
            }
            e.click();
            return true;
        });
    }

    private void clickRow(String key) {
        await("a click on " + key, d -> {
            d.findElement(By.cssSelector("#key-list tr[data-key='" + key + "'] a")).click();
            return true;
        });
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private <T> T await(String what, Function<WebDriver, T> condition) {
        // the page redraws what it shows: an element found a moment ago may have been replaced
        return new WebDriverWait(browser, WAIT).withMessage("waiting for " + what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    private void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
