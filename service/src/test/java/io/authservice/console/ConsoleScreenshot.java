package io.authservice.console;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Takes the README's picture of the console: signs in to a running service in headless Chromium at
 * 1280x800, opens the overview for the last 7 days, waits until every card has loaded and saves a PNG.
 * Run by {@code docs/screenshot.sh} against a {@code seed-demo} database; not a test.
 *
 * <p>Arguments: base URL (e.g. {@code http://127.0.0.1:8080}), username, password, output file. The
 * password is read from the environment variable {@code CONSOLE_PASSWORD} when the argument is {@code -}.
 */
public final class ConsoleScreenshot {
    private ConsoleScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ConsoleScreenshot <base-url> <username> <password|-> <out.png>");
            System.exit(2);
        }
        final String password = args[2].equals("-") ? System.getenv("CONSOLE_PASSWORD") : args[2];
        final Path out = Path.of(args[3]);
        final WebDriver driver = ConsoleBrowserContract.chromium(Files.createTempDirectory("console-screenshot-"));
        try {
            final WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            driver.get(args[0] + "/console/");
            wait.until(ExpectedConditions.elementToBeClickable(By.id("username"))).sendKeys(args[1]);
            driver.findElement(By.id("password")).sendKeys(password);
            driver.findElement(By.id("signin-submit")).click();
            wait.until(d -> !d.getCurrentUrl().contains("#/signin"));
            driver.get(args[0] + "/console/#/overview?range=7d");
            wait.until(d -> "overview".equals(d.findElement(By.id("main")).getAttribute("data-loaded")));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pipeline-lag")));
            // the charts draw on the next animation frame
            wait.until(d -> !d.findElements(By.cssSelector("#outcome-chart canvas")).isEmpty());
            final Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.copy(shot, out, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("saved " + out);
        } finally {
            driver.quit();
        }
    }
}
