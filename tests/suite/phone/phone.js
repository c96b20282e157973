// Renders one XHTML page of the EPUB as a phone shows it — 400 CSS pixels wide — in
// headless Chromium, by day and by night (a dark page with light text, as reading systems'
// night modes set it), and prints where each generated figure landed as JSON.
//
// Usage: node phone.js NODE_MODULES PAGE.xhtml DAY.png NIGHT.png
const path = require("path");
const puppeteer = require(path.join(process.argv[2], "puppeteer-core"));

(async () => {
  const [page_file, day, night] = process.argv.slice(3);
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH,
    args: ["--no-sandbox", "--allow-file-access-from-files", "--font-render-hinting=none"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 400, height: 860, deviceScaleFactor: 1 });
    await page.goto("file://" + path.resolve(page_file), { waitUntil: "load" });
    const figures = await page.evaluate(() =>
      [...document.querySelectorAll("figure.generated img")].map((img) => {
        const r = img.getBoundingClientRect();
        return { src: img.getAttribute("src"), x: r.left, y: r.top + window.scrollY, width: r.width, height: r.height };
      })
    );
    if (figures.length > 0) {
      await page.evaluate((y) => window.scrollTo(0, Math.max(0, y - 40)), figures[0].y);
    }
    await page.screenshot({ path: day });
    await page.addStyleTag({ content: "html, body { background: #111 !important; color: #ddd !important; } a { color: #9cf !important; }" });
    await page.screenshot({ path: night });
    const scroll = await page.evaluate(() => window.scrollY);
    console.log(JSON.stringify({ scroll, figures }));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(String(e));
  process.exit(1);
});
