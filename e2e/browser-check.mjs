// A person's view, in Debian's Chromium: the API docs render with the server's own assets,
// and the browsable API logs in, lists customers, creates one with its form and shows its
// summary. Usage: node e2e/browser-check.mjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
import { chromium } from "playwright-core";

const [base, username, password, shots] = process.argv.slice(2);
const origin = new URL(base).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const failures = [];
const check = (ok, message) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${message}`);
  if (!ok) failures.push(message);
};

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // No internet, as on a closed network: anything from another origin is refused. The docs
  // must still work; a script, stylesheet, font or data request from elsewhere is a failure.
  const needed = [];
  await page.route("**/*", (route) => {
    const request = route.request();
    const url = request.url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) {
      return route.continue();
    }
    if (["script", "stylesheet", "font", "xhr", "fetch", "document"].includes(request.resourceType())) {
      needed.push(`${request.resourceType()} ${url}`);
    }
    return route.abort();
  });

  // The docs: Swagger UI renders the operations from the schema, with no internet.
  await page.goto(`${base}/api/docs/`);
  await page.waitForSelector(".opblock", { timeout: 30000 });
  const operations = await page.locator(".opblock").count();
  check(operations >= 20, `Swagger UI shows ${operations} operations`);
  await page.screenshot({ path: `${shots}/docs.png` });
  await page.goto(`${base}/api/redoc/`);
  await page.waitForSelector("text=Mini Ledger API", { timeout: 30000 });
  check(true, "ReDoc renders the API's title");
  await page.screenshot({ path: `${shots}/redoc.png` });
  check(needed.length === 0, `the docs need nothing from the internet ${needed.join(" ")}`);

  // The browsable API, as a person uses it.
  await page.goto(`${base}/api-auth/login/?next=/api/customers/`);
  await page.fill("#id_username", username);
  await page.fill("#id_password", password);
  await Promise.all([page.waitForURL(`${base}/api/customers/`), page.click("[type=submit]")]);
  check((await page.locator("h1").first().innerText()).includes("Customer List"),
        "logged in, the customer list is shown");
  await page.screenshot({ path: `${shots}/customer-list.png` });

  const form = page.locator("#post-object-form form");
  await form.locator("[name=name]").fill("Browser Customer");
  await form.locator("[name=phone]").fill("+91 90000 12345");
  await form.locator("button", { hasText: "POST" }).click();
  await page.waitForSelector("text=HTTP 201 Created", { timeout: 15000 });
  const body = await page.locator(".response-info pre").innerText();
  const id = JSON.parse(body.slice(body.indexOf("{"))).id;
  check(Number.isInteger(id), `created customer ${id} with the form`);
  await page.screenshot({ path: `${shots}/customer-created.png` });

  await page.goto(`${base}/api/customers/${id}/summary/`);
  const summary = await page.locator(".response-info pre").innerText();
  check(summary.includes('"balance": "0.00"'), "the new customer's summary opens");
  await page.screenshot({ path: `${shots}/customer-summary.png` });
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`browser check: ${failures.length} failed`);
  process.exit(1);
}
console.log("browser check: all passed");
