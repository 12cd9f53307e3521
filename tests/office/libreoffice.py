"""LibreOffice (headless) reads what the service writes: the report workbook converts to CSV,
one file per sheet, and to PDF, and the worklist form to PDF, without error; the text holds
every domain and a sample of items of each part, compared with the JSON report.

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


request = urllib.request.Request(URL + "/api/v1/reports/2022", headers={"Authorization": f"Bearer {TOKEN}"})
report = json.load(urllib.request.urlopen(request))

convert(ALL_SHEETS, f"{OUT}/csv", f"{OUT}/report-2022.xlsx")
convert("pdf", f"{OUT}/pdf", f"{OUT}/report-2022.xlsx", f"{OUT}/worklist-financien.xlsx")

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
