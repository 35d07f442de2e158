package io.meshwork.cli.support;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's chromium driven through Debian's chromedriver, headless, offline (INTEGRATIONS.md §11).
 * Missing, the test fails saying how to install them, unless MESHWORK_REQUIRE_CHROMIUM=false.
 */
public final class Chromium {
    private static final Path SCREENSHOTS = Path.of("target/dashboard-screenshots");

    private Chromium() {
    }

    public static WebDriver start() {
        String binary = onPath("chromium");
        String driver = onPath("chromedriver");
        if (binary == null || driver == null) {
            String message = "chromium and chromedriver are needed for the dashboard tests: apt-get install chromium chromium-driver"
                    + " (.ci/run does)";
            // Skipped only when asked: a developer machine without Debian's chromium can still run the other
            // tests; CI installs it (.ci/run), so there the dashboard tests always run.
            if ("false".equals(System.getenv("MESHWORK_REQUIRE_CHROMIUM"))) {
                org.junit.jupiter.api.Assumptions.assumeTrue(false, message + "; skipped (MESHWORK_REQUIRE_CHROMIUM=false)");
            }
            fail(message + "; MESHWORK_REQUIRE_CHROMIUM=false skips them");
        }
        ChromeOptions options = new ChromeOptions().setBinary(binary);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1500,1100", "--user-data-dir=" + tempDir());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driver)).build();
        return new ChromeDriver(service, options);
    }

    /** Saves what the browser shows as target/dashboard-screenshots/NAME.png. */
    public static void screenshot(WebDriver browser, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("meshwork-chromium-").toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
