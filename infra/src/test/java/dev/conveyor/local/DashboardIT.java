package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against the local runtime, as a new user would use it: sign in, watch
 * jobs arrive, filter and share the view, read a job's timeline, retry, cancel, bulk-retry, create a job, and a
 * read-only key's view. Every test also checks that the browser's console stayed free of errors.
 */
class DashboardIT extends LocalRuntimeTest {
    private static ChromeDriver browser;
    /** Set by a test that provokes 4xx answers on purpose: the browser logs those as console errors. */
    private boolean expectsHttpErrors;

    @RegisterExtension
    final Browser.ScreenshotOnFailure screenshots = new Browser.ScreenshotOnFailure(() -> browser);

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start(1280, 900);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
    }

    @BeforeEach
    void freshTab() {
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(runtime.url() + "/health"); // the same origin, without the dashboard: forget the last test's key
        browser.executeScript("sessionStorage.clear()");
        browser.get(runtime.url() + "/dashboard/");
        Browser.consoleErrors(browser);
    }

    @AfterEach
    void consoleStayedClean() {
        List<String> errors = Browser.consoleErrors(browser).stream()
                .filter(e -> !(expectsHttpErrors && e.matches("(?s).*the server responded with a status of 4\\d\\d.*")))
                .toList();
        assertEquals(List.of(), errors, "errors in the browser's console");
    }

    @Test
    void aSubmittedJobAppearsWithoutAReloadAndUpdatesPauseWhileTheTabIsHidden() {
        signIn(runtime.apiKey());
        open("#/jobs");
        waitFor(b -> !text("#summary").isEmpty());
        browser.executeScript("window.__sameDocument = true");

        String id = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"live\"}}");
        long submitted = System.nanoTime();
        waitFor(Duration.ofSeconds(5), b -> !b.findElements(row(id)).isEmpty());
        long shownMillis = (System.nanoTime() - submitted) / 1_000_000;
        System.out.println("DashboardIT: a new job showed in the list " + shownMillis + " ms after its 202");
        assertTrue(shownMillis <= 2000, "the new job showed after " + shownMillis + " ms");
        assertEquals(Boolean.TRUE, browser.executeScript("return window.__sameDocument"), "the page was reloaded");

        setHidden(true);
        assertEquals("Paused", text("#live"));
        String hidden = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"while hidden\"}}");
        sleep(Duration.ofMillis(3000));
        assertTrue(browser.findElements(row(hidden)).isEmpty(), "the list refreshed while the tab was hidden");
        setHidden(false);
        assertEquals("Live", text("#live"));
        waitFor(Duration.ofSeconds(2), b -> !b.findElements(row(hidden)).isEmpty());
    }

    @Test
    void filtersByStateAndPayloadFieldAndKeepsTheFilterInTheUrl() {
        // The demo handlers take fixed payloads: echo's message stands in for a customer id.
        String customer = "customer " + UUID.randomUUID();
        String delayed = ", \"delay_seconds\": 600}";
        String a = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"" + customer + "\"}" + delayed);
        String b = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"" + customer + "\"}" + delayed);
        submit("{\"type\": \"echo\", \"payload\": {\"message\": \"" + customer + " other\"}" + delayed);
        String ran = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"" + customer + "\"}}");
        awaitState(ran, "SUCCESS");

        signIn(runtime.apiKey());
        open("#/jobs");
        new Select(browser.findElement(By.id("filter-state"))).selectByValue("PENDING");
        WebElement payload = browser.findElement(By.id("filter-payload"));
        payload.sendKeys("{\"message\": \"" + customer + "\"}");
        payload.sendKeys(Keys.ENTER);
        waitFor(x -> shownIds().equals(Set.of(a, b)));
        String url = browser.getCurrentUrl();
        assertTrue(url.contains("state=PENDING") && url.contains("payload="), url);

        browser.navigate().refresh();
        waitFor(x -> shownIds().equals(Set.of(a, b)));
        assertEquals("PENDING", new Select(browser.findElement(By.id("filter-state"))).getFirstSelectedOption()
                .getAttribute("value"));
        assertTrue(browser.findElement(By.id("filter-payload")).getAttribute("value").contains(customer));

        // Shared: the same URL in a new tab (no session yet) asks for the key, then shows the same view.
        String original = browser.getWindowHandle();
        browser.switchTo().newWindow(WindowType.TAB);
        try {
            browser.get(url);
            WebElement key = waitFor(x -> x.findElement(By.id("api-key")));
            key.sendKeys(runtime.apiKey(), Keys.ENTER);
            waitFor(x -> shownIds().equals(Set.of(a, b)));
        } finally {
            browser.close();
            browser.switchTo().window(original);
        }
    }

    @Test
    void aJobPageShowsItsTimelineWithEveryAttemptAndItsError() {
        String id = submit("{\"type\": \"fail\", \"payload\": {\"times\": 2, \"error\": \"downstream said no\"},"
                + " \"retry_delay_seconds\": 0.1}");
        signIn(runtime.apiKey());
        open("#/jobs/" + id);
        waitFor(Duration.ofSeconds(20), x -> !x.findElements(By.cssSelector("#timeline li[data-event=succeeded]")).isEmpty());
        List<WebElement> failed = browser.findElements(By.cssSelector("#timeline li[data-event=failed]"));
        assertEquals(2, failed.size(), text("#timeline"));
        failed.forEach(f -> assertTrue(f.getText().contains("downstream said no"), f.getText()));
        assertEquals(List.of("created", "started", "failed", "retry_scheduled", "started", "failed",
                "retry_scheduled", "started", "succeeded"), browser.findElements(By.cssSelector("#timeline li"))
                .stream().map(li -> li.getAttribute("data-event")).toList());
        JsonNode job = http.get("/jobs/" + id).json();
        assertEquals(job.get("trace_id").asText(), text("#trace-id"));
        assertTrue(text("#payload").contains("\"times\": 2"), text("#payload"));
        assertTrue(text("#job").contains("3 of 4"), "attempts");
        Browser.readmeScreenshot(browser, "job");
    }

    @Test
    void retriesAFailedJobAndCancelsADelayedOneAfterAConfirmation() {
        String failing = submit("{\"type\": \"fail\", \"payload\": {\"times\": 1}, \"max_retries\": 0}");
        String delayed = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"later\"}, \"delay_seconds\": 600}");
        awaitState(failing, "FAILED");
        signIn(runtime.apiKey());

        open("#/jobs/" + failing);
        click(waitFor(x -> x.findElement(By.id("retry-job"))));
        confirm("Retry");
        waitFor(x -> !x.findElements(By.cssSelector("#timeline li[data-event=requeued]")).isEmpty());
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (events(failing).stream().filter("started"::equals).count() < 2) {
            assertTrue(System.nanoTime() < end, "the retried job never ran: " + events(failing));
            sleep(Duration.ofMillis(50));
        }

        open("#/jobs/" + delayed);
        click(waitFor(x -> x.findElement(By.id("cancel-job"))));
        dismissWith(Keys.ESCAPE);
        assertEquals("PENDING", state(delayed), "Escape must keep the job");
        click(browser.findElement(By.id("cancel-job")));
        confirm("Cancel");
        waitFor(x -> !x.findElements(By.cssSelector("#timeline li[data-event=cancelled]")).isEmpty());
        assertEquals("CANCELLED", state(delayed));
        waitFor(x -> x.findElements(By.id("cancel-job")).isEmpty());
    }

    @Test
    void bulkRetryRetriesEveryMatchingJobAfterADryRunSaysHowMany() {
        String tag = UUID.randomUUID().toString();
        List<String> failing = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            failing.add(submit("{\"type\": \"fail\", \"payload\": {\"times\": -1, \"error\": \"" + tag + "\"},"
                    + " \"max_retries\": 0}"));
        }
        String succeeded = submit("{\"type\": \"fail\", \"payload\": {\"times\": 0, \"error\": \"" + tag + "\"}}");
        failing.forEach(id -> awaitState(id, "FAILED"));
        awaitState(succeeded, "SUCCESS");

        signIn(runtime.apiKey());
        open("#/jobs?state=FAILED&payload=" + encode("{\"error\":\"" + tag + "\"}"));
        waitFor(x -> shownIds().equals(Set.copyOf(failing)));
        click(browser.findElement(By.id("bulk-retry")));
        WebElement dialog = waitFor(x -> x.findElement(By.cssSelector("dialog[open]")));
        assertTrue(dialog.getText().contains("Retry 3 jobs?"), dialog.getText());
        confirm("Retry 3 jobs");
        waitFor(x -> text("#status").contains("3 jobs requeued"));
        for (String id : failing) {
            assertTrue(events(id).contains("requeued"), id + ": " + events(id));
        }
        assertFalse(events(succeeded).contains("requeued"), "a job outside the filter was retried");
    }

    @Test
    void createsAJobFromTheFormAndShowsFieldErrorsNextToTheirField() {
        expectsHttpErrors = true; // validating as you type gets the server's 400s
        signIn(runtime.apiKey());
        open("#/new");
        WebElement type = waitFor(x -> x.findElement(By.id("job-type")));
        type.sendKeys("echo");
        WebElement payload = browser.findElement(By.id("job-payload"));
        payload.clear();
        payload.sendKeys("{\"message\": ");
        waitFor(x -> text("#job-payload-error").contains("not valid JSON"));
        payload.sendKeys("\"from the form\"}");
        WebElement retries = browser.findElement(By.id("job-max-retries"));
        retries.sendKeys("11");
        waitFor(x -> text("#job-max-retries-error").contains("max_retries"));
        assertEquals("", text("#job-payload-error"));
        assertEquals("true", retries.getAttribute("aria-invalid"));
        retries.clear();
        retries.sendKeys("2");
        waitFor(x -> text("#validation").contains("accepts"));
        assertEquals("", text("#job-max-retries-error"));

        click(browser.findElement(By.id("submit-job")));
        waitFor(x -> x.getCurrentUrl().matches(".*#/jobs/[0-9a-f-]{36}$"));
        String id = browser.getCurrentUrl().replaceAll(".*#/jobs/", "");
        waitFor(x -> text("#job").contains(id));
        JsonNode job = http.get("/jobs/" + id).json();
        assertEquals("echo", job.get("type").asText());
        assertEquals(2, job.get("max_retries").asInt());
        assertEquals("from the form", job.at("/payload/message").asText());
    }

    @Test
    void aReadOnlyKeySeesNoActionsAndTheApiRefusesItsChanges() {
        String failing = submit("{\"type\": \"fail\", \"payload\": {\"times\": -1}, \"max_retries\": 0}");
        awaitState(failing, "FAILED");
        signIn(runtime.readOnlyApiKey());
        assertEquals("read-only key", text("#access"));
        assertFalse(browser.findElement(By.cssSelector("a[data-view=new]")).isDisplayed());
        open("#/jobs");
        waitFor(x -> !x.findElements(row(failing)).isEmpty());
        assertTrue(browser.findElements(By.id("bulk-retry")).isEmpty());
        assertTrue(browser.findElements(By.id("bulk-cancel")).isEmpty());
        open("#/jobs/" + failing);
        waitFor(x -> text("#job").contains("FAILED"));
        assertTrue(browser.findElements(By.id("retry-job")).isEmpty());
        open("#/new");
        waitFor(x -> text("#main").contains("read-only"));
        assertTrue(browser.findElements(By.id("submit-job")).isEmpty());

        Http readOnly = new Http(runtime.url(), runtime.readOnlyApiKey());
        long jobs = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs");
        Http.Response submit = readOnly.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {}}");
        assertEquals(403, submit.status(), submit::toString);
        assertEquals("application/problem+json", submit.header("Content-Type").orElse(""));
        assertTrue(submit.json().get("detail").asText().contains("read-only"), submit::toString);
        assertEquals(403, readOnly.postJson("/jobs/" + failing + "/retry", "").status());
        assertEquals(jobs, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs"));
        assertEquals("FAILED", state(failing));
        assertEquals(200, readOnly.get("/jobs/" + failing).status());
    }

    @Test
    void hostileDataIsShownAsTextAndInlineScriptIsForbidden() {
        expectsHttpErrors = true; // the hostile type name is refused with a 400
        String markup = "<script>window.__xss='script'</script><img src=x onerror=\"window.__xss='img'\">";
        String id = submit("{\"type\": \"fail\", \"payload\": {\"times\": -1, \"error\": " + quote(markup)
                + "}, \"max_retries\": 0}");
        awaitState(id, "FAILED");
        signIn(runtime.apiKey());
        open("#/jobs/" + id);
        waitFor(x -> text("#last-error").contains("<img src=x onerror"));
        assertTrue(text("#payload").contains("<script>window.__xss"), text("#payload"));
        assertEquals(0L, browser.executeScript("return document.querySelectorAll('#job img, #job script').length"));
        assertNull(browser.executeScript("return window.__xss"));

        open("#/new");
        waitFor(x -> x.findElement(By.id("job-type"))).sendKeys("<img src=x onerror=\"window.__xss='type'\">");
        waitFor(x -> text("#job-type-error").contains("<img src=x"));
        assertEquals(0L, browser.executeScript("return document.querySelectorAll('main img').length"));
        assertNull(browser.executeScript("return window.__xss"));

        // The page's Content-Security-Policy: scripts only from the dashboard's own files, none inline.
        Object inline = browser.executeScript("const s = document.createElement('script');"
                + " s.textContent = 'window.__inline = 1'; document.body.append(s); return window.__inline ?? null;");
        assertNull(inline, "an inline script ran");
        List<String> errors = Browser.consoleErrors(browser);
        assertTrue(errors.stream().anyMatch(e -> e.contains("Content Security Policy")), errors.toString());
        String csp = new Http(runtime.url()).get("/dashboard").header("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
    }

    @Test
    void worksAtPhoneWidthWithEveryControlLabelledAndTheKeyboard() {
        String delayed = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"phone\"}, \"delay_seconds\": 600}");
        browser.manage().window().setSize(new Dimension(390, 844));
        // Sign in with the keyboard alone: the key field has the focus, Enter submits.
        waitFor(x -> x.findElement(By.id("api-key")));
        browser.switchTo().activeElement().sendKeys(runtime.apiKey(), Keys.ENTER);
        waitFor(x -> x.findElement(By.id("nav")).isDisplayed());
        for (String hash : List.of("#/", "#/jobs", "#/jobs/" + delayed, "#/new")) {
            open(hash);
            waitFor(x -> !x.findElements(By.cssSelector("main h1")).isEmpty());
            sleep(Duration.ofMillis(300));
            Long overflow = (Long) browser.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertTrue(overflow <= 0, hash + " is wider than a phone by " + overflow + " px");
            assertEquals(List.of(), browser.executeScript("return [...document.querySelectorAll('input, select,"
                    + " textarea')].filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id)"),
                    hash + ": controls without a label");
            assertEquals(List.of(), browser.executeScript("return [...document.querySelectorAll('button, a')]"
                    + ".filter(e => e.offsetParent !== null && !e.textContent.trim()).map(e => e.outerHTML)"),
                    hash + ": buttons or links without a name");
        }
        Browser.screenshot(browser, "phone-new-job");
        // A job's cancel from the keyboard: Enter opens the confirmation, Escape keeps the job.
        open("#/jobs/" + delayed);
        waitFor(x -> x.findElement(By.id("cancel-job"))).sendKeys(Keys.ENTER);
        dismissWith(Keys.ESCAPE);
        assertEquals("PENDING", state(delayed));
    }

    @Test
    void theOverviewShowsJobsByStateTheQueueAndChartsOfTheLastHourAndDay() {
        // A day of history, as if jobs had finished all along: 10 to 40 a minute, one in twelve failed. Written
        // as finished rows with the triggers off (replica mode), which otherwise take new jobs only as PENDING.
        LocalRuntimeFixture.update(runtime, """
                SET session_replication_role = replica;
                INSERT INTO jobs (id, type, state, payload, result, last_error, attempt, max_retries,
                                  retry_delay_seconds, timeout_seconds, created_at, updated_at, started_at, finished_at,
                                  next_attempt_at)
                SELECT gen_random_uuid(), 'echo', CASE WHEN n % 12 = 0 THEN 'FAILED' ELSE 'SUCCESS' END,
                       '{"message": "history"}', CASE WHEN n % 12 = 0 THEN NULL ELSE '{"message": "history"}'::jsonb END,
                       CASE WHEN n % 12 = 0 THEN 'downstream timed out' END, 1, 3, 1, 30,
                       t - interval '2 seconds', t, t - interval '40 milliseconds', t, t - interval '2 seconds'
                FROM (SELECT m, n, date_trunc('minute', now()) - m * interval '1 minute' + random() * interval '59 s' AS t
                      FROM generate_series(1, 1439) AS m,
                           generate_series(1, 22 + (15 * sin(m / 90.0))::int + (random() * 8)::int) AS n) AS history""");
        for (int i = 0; i < 5; i++) {
            submit("{\"type\": \"echo\", \"payload\": {\"message\": \"overview " + i + "\"}}");
        }
        String failed = submit("{\"type\": \"fail\", \"payload\": {\"times\": -1}, \"max_retries\": 0}");
        awaitState(failed, "FAILED");
        awaitNothingRunning();
        long succeeded = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE state = 'SUCCESS'");
        signIn(runtime.apiKey());
        open("#/");
        waitFor(x -> !text("#state-counts").isEmpty());
        WebElement success = browser.findElement(By.cssSelector("#state-counts a[href='#/jobs?state=SUCCESS']"));
        waitFor(x -> Long.parseLong(success.findElement(By.className("value")).getText().replace(",", "")) == succeeded);
        assertTrue(text("#queue").contains("dead letters"), text("#queue"));
        for (String[] chart : new String[][] {{"chart-hour", "60"}, {"chart-day", "1440"}}) {
            WebElement element = browser.findElement(By.id(chart[0]));
            waitFor(x -> chart[1].equals(element.getAttribute("data-buckets"))
                    && !element.findElements(By.tagName("canvas")).isEmpty());
            String from = "'" + element.getAttribute("data-from") + "'";
            assertEquals(LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE state = 'SUCCESS'"
                    + " AND finished_at >= " + from), Long.parseLong(element.getAttribute("data-succeeded")), chart[0]);
            assertEquals(LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE state IN ('FAILED',"
                    + " 'DEAD_LETTERED') AND finished_at >= " + from), Long.parseLong(element.getAttribute("data-failed")),
                    chart[0]);
        }
        Browser.readmeScreenshot(browser, "overview");
    }

    private static void awaitNothingRunning() {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE state IN ('RUNNING', 'RETRYING')"
                + " OR (state = 'PENDING' AND next_attempt_at < now())") > 0) {
            assertTrue(System.nanoTime() < end, "jobs still running");
            sleep(Duration.ofMillis(50));
        }
    }

    @Test
    void aWrongKeyIsRefusedAtSignIn() {
        expectsHttpErrors = true;
        WebElement key = waitFor(x -> x.findElement(By.id("api-key")));
        key.sendKeys("not-the-key", Keys.ENTER);
        waitFor(x -> text("#api-key-error").contains("not valid"));
        assertFalse(browser.findElement(By.id("nav")).isDisplayed());
        assertNull(browser.executeScript("return sessionStorage.getItem('conveyor.apiKey')"));
    }

    @Test
    void theApiDocsAreSwaggerUiOverOpenApiYaml() {
        browser.get(runtime.url() + "/docs");
        waitFor(Duration.ofSeconds(15), x -> x.findElements(By.cssSelector(".opblock")).size() >= 8);
        assertTrue(text(".information-container").contains("Conveyor"), text(".information-container"));
        assertTrue(browser.findElements(By.cssSelector(".opblock-summary-path")).stream()
                .anyMatch(p -> p.getText().equals("/jobs/bulk")), "POST /jobs/bulk is documented");
        WebElement servers = waitFor(x -> x.findElement(By.cssSelector(".servers select")));
        assertEquals(runtime.url(), new Select(servers).getFirstSelectedOption().getAttribute("value"),
                "Try it out calls this deployment");
    }

    // --- helpers ---

    private static void signIn(String key) {
        browser.get(runtime.url() + "/dashboard/");
        WebElement input = waitFor(x -> x.findElement(By.id("api-key")));
        input.sendKeys(key, Keys.ENTER);
        waitFor(x -> x.findElement(By.id("nav")).isDisplayed());
    }

    private static void open(String hash) {
        browser.get(runtime.url() + "/dashboard/" + hash);
    }

    private static By row(String id) {
        return By.cssSelector("#job-rows tr[data-id='" + id + "']");
    }

    private static Set<String> shownIds() {
        return browser.findElements(By.cssSelector("#job-rows tr")).stream()
                .map(r -> r.getAttribute("data-id")).collect(Collectors.toSet());
    }

    private static String text(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    private static void click(WebElement element) {
        element.click();
    }

    /** Clicks the open dialog's button named {@code label}. */
    private static void confirm(String label) {
        WebElement dialog = waitFor(x -> x.findElement(By.cssSelector("dialog[open]")));
        dialog.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no button " + label + " in " + dialog.getText())).click();
        waitFor(x -> x.findElements(By.cssSelector("dialog[open]")).isEmpty());
    }

    private static void dismissWith(Keys key) {
        waitFor(x -> x.findElement(By.cssSelector("dialog[open]")));
        browser.switchTo().activeElement().sendKeys(key);
        waitFor(x -> x.findElements(By.cssSelector("dialog[open]")).isEmpty());
    }

    /** Makes the page believe its tab was hidden or shown, as switching tabs does. */
    private static void setHidden(boolean hidden) {
        browser.executeScript("Object.defineProperty(document, 'hidden', {value: arguments[0], configurable: true});"
                + " Object.defineProperty(document, 'visibilityState', {value: arguments[0] ? 'hidden' : 'visible',"
                + " configurable: true}); document.dispatchEvent(new Event('visibilitychange'));", hidden);
    }

    private static <T> T waitFor(Function<WebDriver, T> condition) {
        return waitFor(Duration.ofSeconds(10), condition);
    }

    private static <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, timeout, Duration.ofMillis(25)).until(condition);
    }

    private static String submit(String body) {
        Http.Response response = http.postJson("/jobs", body);
        assertEquals(202, response.status(), response::toString);
        return response.json().get("id").asText();
    }

    private static String state(String id) {
        return http.get("/jobs/" + id).json().get("state").asText();
    }

    private static void awaitState(String id, String state) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!state.equals(state(id))) {
            assertTrue(System.nanoTime() < end, id + " never became " + state + ": " + state(id));
            sleep(Duration.ofMillis(50));
        }
    }

    private static List<String> events(String id) {
        List<String> names = new ArrayList<>();
        http.get("/jobs/" + id + "/events").json().get("events").forEach(e -> names.add(e.get("event").asText()));
        return names;
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
