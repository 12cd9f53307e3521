"""LibreOffice (headless) reads what the service writes: the report workbook converts to CSV,
one file per sheet, and to PDF, the worklist form and the Word document to PDF, without
error; the text holds every domain and a sample of items of each part, compared with the
JSON report, and the Word document prints on A4 with page numbers.

Environment: VOORTGANG_URL, VOORTGANG_TOKEN; reads the workbooks worklist.py wrote to OUT.
"""

import csv
import glob
import json
import os
import subprocess
import sys
import urllib.request

URL = os.environ["VOORTGANG_URL"]
TOKEN = os.environ["VOORTGANG_TOKEN"]
OUT = os.environ.get("OUT", "target/office")
# CSV of every sheet (the last token, -1), UTF-8 (76), comma-separated, quoted text
ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")
    print(f"ok: {message}")


def convert(target, outdir, *files):
    result = subprocess.run(
        ["soffice", "--headless", "--norestore", "--convert-to", target, "--outdir", outdir, *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    check(result.returncode == 0 and "Error" not in result.stderr, f"LibreOffice converts {files} to {target.split(':')[0]}")


def get(path):
    request = urllib.request.Request(URL + path, headers={"Authorization": f"Bearer {TOKEN}"})
    return urllib.request.urlopen(request).read()


report = json.loads(get("/api/v1/reports/2022"))
with open(f"{OUT}/report-2022.docx", "wb") as f:
    f.write(get("/api/v1/reports/2022/document?format=docx"))

convert(ALL_SHEETS, f"{OUT}/csv", f"{OUT}/report-2022.xlsx")
convert("pdf", f"{OUT}/pdf", f"{OUT}/report-2022.xlsx", f"{OUT}/worklist-financien.xlsx")
convert("pdf", f"{OUT}/word", f"{OUT}/report-2022.docx")

sheets = {}
for path in glob.glob(f"{OUT}/csv/report-2022-*.csv"):
    name = os.path.basename(path)[len("report-2022-") : -len(".csv")]
    with open(path, encoding="utf-8") as f:
        sheets[name] = list(csv.reader(f))
check(len(sheets) >= 6, f"a CSV per sheet: {sorted(sheets)}")
pdf = subprocess.run(["pdftotext", f"{OUT}/pdf/report-2022.pdf", "-"], capture_output=True, text=True).stdout

for part, sheet in [("criteria", "Detail criterium"), ("risks", "Op te volgen hoge risico's"),
                    ("realisations", "Realisaties"), ("planning", "Planning")]:
    rows = sheets[sheet][1:]
    for domain in report["domains"]:
        items = domain[part]["items"]
        if not items:
            continue
        check(any(row[0] == domain["name"] for row in rows), f"{sheet}: {domain['name']}")
        for item in (items[0], items[-1]):
            text = item.get("text") or item.get("title")
            check(any(text in row for row in rows), f"{sheet}: {text[:50]!r}")
            check(text.split("\n")[0][:20] in pdf, f"the PDF holds {text[:20]!r}")
for domain in report["domains"]:
    check(domain["name"] in pdf, f"the PDF names {domain['name']}")
worklist_pdf = subprocess.run(["pdftotext", f"{OUT}/pdf/worklist-financien.pdf", "-"], capture_output=True, text=True).stdout
check("Werklijst" in worklist_pdf or "Soort" in worklist_pdf, "the worklist form prints")

word = subprocess.run(["pdftotext", "-layout", f"{OUT}/word/report-2022.pdf", "-"], capture_output=True, text=True).stdout
info = subprocess.run(["pdfinfo", f"{OUT}/word/report-2022.pdf"], capture_output=True, text=True).stdout
pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
check("(A4)" in info, "the Word document prints on A4")
check(pages > len(report["domains"]), f"a page per domain at least ({pages} pages)")
check(f"Pagina 2 van {pages}" in word, "the pages are numbered")
check(report["report"]["title"].split()[0] in word, "the title page")
for domain in report["domains"]:
    check(domain["name"] in word, f"the Word document has the chapter {domain['name']}")
    for part in ("realisations", "planning"):
        items = domain[part]["items"]
        for item in items[:1] + items[-1:]:
            check(item["title"][:25] in word, f"the Word document lists {item['title'][:25]!r}")
