// A person's view, in Debian's Chromium: the API docs render with the server's own assets,
// the browsable API logs in, lists customers, creates one with its form and shows its
// summary; and a customer opens their statement link on a phone-sized screen, with nothing
// from the internet. Usage:
// node e2e/browser-check.mjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR STATEMENT_LINK
import { chromium } from "playwright-core";

const [base, username, password, shots, statementLink] = process.argv.slice(2);
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

  // The customer's statement link, opened as a customer would: no account, a phone's screen.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  const fromElsewhere = [];
  await phone.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:")) return route.continue();
    fromElsewhere.push(url);
    return route.abort();
  });
  const opened = await phone.goto(statementLink);
  check(opened.status() === 200, `the statement link opens (${opened.status()})`);
  const business = await phone.locator("#business").innerText();
  check(business === "Asha Stores", `the business is named: ${business}`);
  const due = await phone.locator("#due .amount").innerText();
  check(due.includes("1,250.50"), `the amount due is shown: ${due}`);
  const qr = await phone.locator("#pay svg").boundingBox();
  check(qr !== null && qr.width >= 150 && qr.x + qr.width <= 390,
        `the UPI code is drawn, within a phone's width (${JSON.stringify(qr)})`);
  const payHref = await phone.locator("#pay a.button").getAttribute("href");
  check(payHref.startsWith("upi://pay?pa=asha%40okbank") && payHref.includes("am=1250.50"),
        `the pay button asks for the amount due: ${payHref}`);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `nothing scrolls sideways on a phone (${width}px)`);
  await phone.screenshot({ path: `${shots}/statement-link.png`, fullPage: true });
  check(fromElsewhere.length === 0, `the page needs nothing from the internet ${fromElsewhere.join(" ")}`);
  const altered = await phone.goto(statementLink.replace(/.\/$/, (m) => (m[0] === "A" ? "B" : "A") + "/"));
  check(altered.status() === 404 && (await phone.locator("#reason").innerText()).includes("not valid"),
        "an altered link opens a plain page saying so");
  await phone.screenshot({ path: `${shots}/statement-link-altered.png` });
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`browser check: ${failures.length} failed`);
  process.exit(1);
}
console.log("browser check: all passed");
