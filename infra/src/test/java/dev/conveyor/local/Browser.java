package dev.conveyor.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Chromium driven by Selenium, from Debian's {@code chromium} and {@code chromium-driver} packages (or
 * {@code CONVEYOR_CHROMIUM} and {@code CONVEYOR_CHROMEDRIVER}). Where they are missing the browser tests skip
 * with the reason, unless {@code CONVEYOR_REQUIRE_BROWSER} is set (CI sets it): then they fail. The driver is
 * named explicitly, so Selenium Manager never looks for one on the network.
 */
final class Browser {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Browser() {
    }

    static ChromeDriver start(int width, int height) {
        Path chromium = executable("CONVEYOR_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser");
        Path driver = executable("CONVEYOR_CHROMEDRIVER", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        String missing = chromium == null ? "chromium" : driver == null ? "chromedriver" : null;
        if (missing != null) {
            String reason = "browser tests need " + missing + ": apt-get install chromium chromium-driver (Debian),"
                    + " or set CONVEYOR_CHROMIUM and CONVEYOR_CHROMEDRIVER";
            if (System.getenv("CONVEYOR_REQUIRE_BROWSER") != null) {
                throw new IllegalStateException(reason + "; CONVEYOR_REQUIRE_BROWSER is set, so this is a failure");
            }
            Assumptions.abort(reason);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + "," + height, "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile()).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return browser;
    }

    private static Path executable(String variable, String... candidates) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            return Files.isExecutable(Path.of(configured)) ? Path.of(configured) : null;
        }
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    /** The console's errors since the last call (reading the log empties it). */
    static List<String> consoleErrors(ChromeDriver browser) {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    static Path screenshot(ChromeDriver browser, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A screenshot of the whole page that the README shows: saved with the others, and over {@code docs/images/<name>.png} when the build
     * runs with {@code -Dconveyor.update-screenshots} (so the README's pictures are made by the tests).
     */
    static void readmeScreenshot(ChromeDriver browser, String name) {
        org.openqa.selenium.Dimension window = browser.manage().window().getSize();
        Number height = (Number) browser.executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(window.getWidth(),
                Math.min(height.intValue() + 120, 4000)));
        Path file;
        try {
            file = screenshot(browser, name);
        } finally {
            browser.manage().window().setSize(window);
        }
        if (System.getProperty("conveyor.update-screenshots") != null) {
            try {
                Path docs = Path.of("..", "docs", "images");
                Files.createDirectories(docs);
                Files.copy(file, docs.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Saves a screenshot of the page a test failed on, as target/screenshots/<Class>.<test>-failed.png. */
    static final class ScreenshotOnFailure implements TestWatcher {
        private final java.util.function.Supplier<ChromeDriver> browser;

        ScreenshotOnFailure(java.util.function.Supplier<ChromeDriver> browser) {
            this.browser = browser;
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            ChromeDriver current = browser.get();
            if (current == null) {
                return;
            }
            String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
            try {
                System.err.println("screenshot of the failure: " + screenshot(current, name + "-failed").toAbsolutePath()
                        + " at " + current.getCurrentUrl());
            } catch (RuntimeException e) {
                System.err.println("no screenshot of the failure: " + e);
            }
        }
    }

}
