// A person at the desk, in a real browser (Debian's chromium, driven by npm playwright-core):
// sign into Airflow's UI, open the newsroom desk, take an article down with a reason.
// Usage: node desk_browser.mjs <airflow url> <user> <password> <article id> <reason> <screenshot path>
// Prints one JSON line: what the desk said after the action.
import { chromium } from "playwright-core";

const [url, user, password, articleId, reason, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(`${url}/auth/login/?next=${encodeURIComponent(url + "/newsroom/desk")}`);
  await page.locator("input[name=username]").fill(user);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/auth/login"));
  await page.goto(`${url}/newsroom/desk`);
  const heading = await page.locator("h1").innerText();
  await page.locator("#takedown input[name=id]").fill(articleId);
  await page.locator("#takedown input[name=reason]").fill(reason);
  await page.locator("#takedown button[type=submit]").click();
  await page.waitForSelector("p.done, p.error");
  const done = await page.locator("p.done").allInnerTexts();
  const error = await page.locator("p.error").allInnerTexts();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ heading, done, error, url: page.url() }));
} finally {
  await browser.close();
}
