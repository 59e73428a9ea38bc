// The playground in headless Chromium, as a developer meets it: the picker
// offers the shipped operations, "sign in as demo" puts a token in the
// headers through the real login mutation, and the Dashboard then runs as
// demo; with the demo off there is no sign-in control.
//   node tests/browser/playground.mjs path/to/kabinet
// Needs Debian's chromium (CHROMIUM overrides /usr/bin/chromium).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const binary = process.argv[2];
if (!binary) throw new Error("usage: node playground.mjs path/to/kabinet");

function fail(message) {
  console.error(`playground test: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

async function startGateway(demo, port) {
  const dir = mkdtempSync(join(tmpdir(), "kabinet-browser-"));
  const child = spawn(binary, [], {
    env: {
      ...process.env,
      KABINET_DATABASE_URL: `sqlite://${dir}/kabinet.db?mode=rwc`,
      KABINET_LISTEN: `127.0.0.1:${port}`,
      KABINET_DEMO: demo ? "1" : "0",
      KABINET_SMS_OUTBOX_FILE: join(dir, "sms.jsonl"),
      KABINET_EMAIL_OUTBOX_FILE: join(dir, "email.jsonl"),
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) fail("the gateway exited during start-up");
    try {
      if ((await fetch(`${url}/readyz`)).ok) {
        return { url, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  fail("the gateway did not start in 60 s");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const port = 20000 + Math.floor(Math.random() * 20000);
let gateway;
try {
  // Demo mode: the picker, the sign-in, the Dashboard as demo.
  gateway = await startGateway(true, port);
  const page = await browser.newPage();
  await page.goto(`${gateway.url}/graphiql`);
  const picker = page.locator("#kabinet-operations");
  await picker.waitFor({ timeout: 20000 });
  const names = await picker.locator("option").allTextContents();
  if (names.length < 31) fail(`the picker offers ${names.length - 1} operations`);
  for (const name of ["Dashboard", "TopUp", "TvGrid", "AccountEvents"]) {
    if (!names.includes(name)) fail(`the picker lacks ${name}`);
  }
  await page.click("#kabinet-demo-sign-in");
  await page.locator("#kabinet-status", { hasText: "Вы вошли как demo" }).waitFor({ timeout: 20000 });
  const headers = await page.evaluate(() => localStorage.getItem("graphiql:headers") ?? "");
  if (!/"Authorization": "Bearer [A-Za-z0-9_-]{20,}"/.test(headers)) fail(`headers after sign-in: ${headers}`);
  await picker.selectOption({ label: "Dashboard" });
  await page.locator(".graphiql-query-editor", { hasText: "query Dashboard" }).waitFor({ timeout: 20000 });
  await page.click(".graphiql-execute-button");
  await page.locator(".result-window", { hasText: "holderName" }).waitFor({ timeout: 20000 });
  const result = await page.locator(".result-window").innerText();
  if (!result.includes("\"number\"") || result.includes("\"errors\"")) fail(`the Dashboard as demo: ${result.slice(0, 500)}`);
  gateway.stop();
  gateway = undefined;

  // Demo off: the operations, but no sign-in control.
  gateway = await startGateway(false, port + 1);
  const plain = await browser.newPage();
  await plain.goto(`${gateway.url}/graphiql`);
  await plain.locator("#kabinet-operations").waitFor({ timeout: 20000 });
  if (await plain.locator("#kabinet-demo-sign-in").count() !== 0) fail("a demo sign-in without the demo data");
  console.log(`playground: ${names.length - 1} operations in the picker, signed in as demo and ran Dashboard; no sign-in with the demo off`);
} finally {
  gateway?.stop();
  await browser.close();
}
