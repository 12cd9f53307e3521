// End-to-end in a real headless Chromium: Swagger UI's "Try it out" with a token, and the
// printable report document (also printed to PDF at $REPORT_PDF). Run by .ci/e2e against a
// running service:
//   VOORTGANG_URL=http://127.0.0.1:8080 VOORTGANG_TOKEN=vgt_... node tests/browser/swagger.mjs
import { chromium } from "playwright-core";

const base = process.env.VOORTGANG_URL;
const token = process.env.VOORTGANG_TOKEN;
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const DOMAINS = [
  "Organisatiecultuur",
  "Bereiken doelstellingen",
  "Voorkomen van fraude en fouten",
  "Naleven wetgeving en procedures",
  "Efficiënt gebruik middelen",
  "Betrouwbare informatie",
  "Bescherming activa",
];

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
  console.log(`ok: ${message}`);
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage();
  const blocked = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") blocked.push(msg.text());
  });

  // Swagger UI: authorize with the token, then try GET /api/v1/domains
  await page.goto(`${base}/swagger-ui/`);
  await page.locator(".swagger-ui .info .title").waitFor();
  await page.locator("button.btn.authorize").first().click();
  const bearer = page.locator(".modal-ux .auth-container").filter({ hasText: "bearer" });
  await bearer.locator("input").first().fill(token);
  await bearer.locator("button.authorize").click();
  await page.locator(".modal-ux button.btn-done").first().click();

  const operation = page.locator("#operations-domains-list_domains");
  await operation.locator(".opblock-summary").click();
  await operation.locator("button.try-out__btn").click();
  await operation.locator("button.execute").click();
  const status = operation.locator(".live-responses-table .response .response-col_status");
  await status.first().waitFor();
  check((await status.first().innerText()).trim() === "200", "Try it out answers 200");
  const body = await operation
    .locator(".live-responses-table .response-col_description .microlight")
    .first()
    .innerText();
  const page1 = JSON.parse(body);
  check(
    JSON.stringify(page1.items.map((d) => d.name)) === JSON.stringify(DOMAINS),
    "the response panel shows the seven domains in report order",
  );
  check(
    !blocked.some((text) => text.includes("Content Security Policy")),
    `the Content-Security-Policy blocks nothing Swagger UI needs (${blocked.join(" | ")})`,
  );

  // the printable report of 2022
  const reader = await browser.newContext({
    extraHTTPHeaders: { Authorization: `Bearer ${token}` },
  });
  const report = await reader.newPage();
  const response = await report.goto(`${base}/api/v1/reports/2022/document`);
  check(response.status() === 200, "the report document answers 200");
  const h1 = await report.locator("h1").allInnerTexts();
  check(
    h1.length === 1 && h1[0] === "Voortgangsrapport 2022 Organisatiebeheersing",
    "the document has one h1, the title",
  );
  const h2 = await report.locator("section.domain h2").allInnerTexts();
  check(JSON.stringify(h2) === JSON.stringify(DOMAINS), "a heading per domain, in order");
  const bars = await report.locator("svg rect").count();
  check(bars === 2 + 2 * DOMAINS.length, "the bar chart is drawn");

  // printed to PDF as a browser's "print to PDF" does, with the page's own print rules;
  // .ci/e2e reads the PDF back (pages, A4, headings)
  await report.emulateMedia({ media: "print" });
  await report.pdf({ path: process.env.REPORT_PDF, preferCSSPageSize: true });
  await report.emulateMedia({ media: "screen" });

  // the report's section on the self-evaluation, with its radar chart: the demo has no
  // scores (the seed gives none), so two self-evaluations are registered first
  const themes = ["AOB", "DP", "BHM", "MON", "FIM", "ORG", "HRM", "CUL", "ICO", "FAM", "ICT"];
  for (const [year, shift] of [[2021, 0], [2022, 1]]) {
    const created = await fetch(`${base}/api/v1/self-evaluations`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        year,
        title: `Zelfevaluatie ${year}`,
        scores: themes.map((theme_code, i) => ({
          theme_code,
          score: Math.min(3, (i + shift) % 3 + shift),
          target: 3,
        })),
      }),
    });
    check(created.status === 201, `the self-evaluation of ${year} is registered`);
  }
  await report.reload();
  const sections = await report.locator("section.domain h2").allInnerTexts();
  check(
    JSON.stringify(sections) === JSON.stringify([...DOMAINS, "Zelfevaluatie organisatiebeheersing"]),
    "the self-evaluation follows the domains",
  );
  const rows = await report.locator("#zelfevaluatie table tbody tr").count();
  check(rows === themes.length, "a row per Leidraad theme");
  const radar = report.locator("#zelfevaluatie svg#radar");
  const box = await radar.boundingBox();
  check(box !== null && box.width > 300 && box.height > 300, "the radar chart is drawn");
  const axes = await radar.locator("line.axis").count();
  check(axes === themes.length, "an axis per theme");
  const area = await radar.locator("polygon.score").boundingBox();
  check(
    area !== null && area.width > 50 && area.x >= box.x && area.x + area.width <= box.x + box.width,
    "the scores are an area inside the chart",
  );
  check((await radar.locator("polygon.previous").count()) === 1, "the previous scores are outlined");
} finally {
  await browser.close();
}
