"""A department's worklist round trip with openpyxl, as a department's script or a person in
Excel would do it, against a running service with the demo data: the report workbook's types,
the worklist form's validation, filling it in, a dry run, the import, and a tampered sheet.

Environment: VOORTGANG_URL, VOORTGANG_TOKEN (an admin token). Writes the workbooks it read
to OUT (default target/office) for LibreOffice to convert afterwards.
"""

import datetime
import io
import json
import os
import sys
import urllib.error
import urllib.request
import uuid

import openpyxl

URL = os.environ["VOORTGANG_URL"]
ADMIN = os.environ["VOORTGANG_TOKEN"]
OUT = os.environ.get("OUT", "target/office")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = 2023
DEPARTMENT = "financien"


def call(method, path, token, body=None, content_type="application/json", headers=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def ok(status, content_type, body, expected=200):
    if status != expected:
        sys.exit(f"expected {expected}, got {status}: {body[:500]!r}")
    return json.loads(body) if content_type.startswith("application/json") else body


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")
    print(f"ok: {message}")


os.makedirs(OUT, exist_ok=True)

# the report as a workbook: sheets, types, frozen headers, autofilters
report = ok(*call("GET", "/api/v1/reports/2022", ADMIN))
book_bytes = ok(*call("GET", "/api/v1/reports/2022/document?format=xlsx", ADMIN))
open(f"{OUT}/report-2022.xlsx", "wb").write(book_bytes)
book = openpyxl.load_workbook(io.BytesIO(book_bytes))
check(
    book.sheetnames[:6]
    == ["Rapport", "Overzicht", "Detail criterium", "Op te volgen hoge risico's", "Realisaties", "Planning"],
    f"the report workbook has its sheets: {book.sheetnames}",
)
for sheet in book.worksheets:
    check(sheet.freeze_panes == "A2" and sheet.auto_filter.ref, f"{sheet.title}: frozen header, autofilter")
facts = {row[0]: row[1] for row in book["Rapport"].iter_rows(min_row=2, values_only=True)}
check(isinstance(facts["Voorgesteld op"], datetime.datetime), "a date is a date cell")
check(isinstance(facts["Jaar"], int), "a number is a number cell")
realised = sum(domain["realisations"]["count"] for domain in report["domains"])
rows = list(book["Realisaties"].iter_rows(min_row=2, values_only=True))
check(len(rows) == realised, f"Realisaties has the report's {realised} items")
overview = list(book["Overzicht"].iter_rows(min_row=2, values_only=True))
check(
    [row[0] for row in overview[:-1]] == [d["name"] for d in report["domains"]],
    "the overview lists every domain in report order",
)
check(all(isinstance(value, int) for row in overview for value in row[1:]), "counts are numbers")

# the year opened, a department's editor downloads its worklist
status, _, body = call("POST", f"/api/v1/reports/{YEAR}/open", ADMIN, {"collect_until": "2099-03-31"})
check(status in (200, 201), f"{YEAR} is open ({status})")
token = ok(
    *call(
        "POST",
        "/api/v1/tokens",
        ADMIN,
        {"name": f"{DEPARTMENT}-{uuid.uuid4().hex[:8]}", "role": "editor", "department_ids": [DEPARTMENT]},
    ),
    expected=201,
)["secret"]
owed = ok(*call("GET", f"/api/v1/reports/{YEAR}/worklist?limit=1000", token))["items"]
form = ok(*call("GET", f"/api/v1/reports/{YEAR}/worklist?format=xlsx", token))
open(f"{OUT}/worklist-{DEPARTMENT}.xlsx", "wb").write(form)
book = openpyxl.load_workbook(io.BytesIO(form))
sheet = book["Werklijst"]
check(book["Gegevens"].sheet_state == "hidden", "the sheet with year and department is hidden")
check(sheet.column_dimensions["P"].hidden, "the key column is hidden")
check(sheet.protection.sheet, "the sheet is protected: only the answer columns are open")
check(sheet["K2"].protection.locked is False and sheet["B2"].protection.locked, "answers open, keys locked")
check(sheet.max_row - 1 == len(owed), f"one row per item owed ({len(owed)})")

validations = sheet.data_validations.dataValidation


def validation_of(cell):
    return [v for v in validations if cell in v.sqref]


# fill in every row with a value its own validation allows, as a person would
answers = {}
for row in range(2, sheet.max_row + 1):
    kind = sheet.cell(row, 1).value
    status_rule = validation_of(f"K{row}")
    check(len(status_rule) == 1 and status_rule[0].type == "list", f"row {row}: the status is a drop-down")
    choices = status_rule[0].formula1.strip('"').split(",")
    status = choices[1]
    sheet.cell(row, 11).value = status
    note = f"Antwoord uit Excel, rij {row}"
    sheet.cell(row, 15).value = note
    key = sheet.cell(row, 16).value
    answer = {"status": status, "note": note}
    if kind == "Actie":
        rule = validation_of(f"L{row}")
        check(rule and rule[0].type == "whole" and (rule[0].formula1, rule[0].formula2) == ("0", "100"), f"row {row}: progress 0-100")
        sheet.cell(row, 12).value = 50
        answer["progress"] = 50
    if kind == "Risico":
        sheet.cell(row, 13).value = 2
        sheet.cell(row, 14).value = 3
        answer.update(likelihood=2, impact=3)
    answers[key] = answer

# a new action, its domain taken from the drop-down's list
new_sheet = book["Nieuwe acties"]
domain_rule = [v for v in new_sheet.data_validations.dataValidation if "B2" in v.sqref]
check(domain_rule and domain_rule[0].type == "list" and "Domeinen!" in domain_rule[0].formula1, "the new action's domain is a drop-down of the domains")
check(book["Domeinen"].sheet_state == "hidden", "the domains' list is hidden")
domain_name = book["Domeinen"]["B2"].value
new_title = f"Nieuwe actie uit Excel {uuid.uuid4().hex[:6]}"
new_sheet["A2"] = new_title
new_sheet["B2"] = domain_name
new_sheet["C2"] = "gepland"
new_sheet["E2"] = "Toegevoegd in de werklijst."
filled = io.BytesIO()
book.save(filled)
filled = filled.getvalue()

# a dry run writes nothing and says what would happen
path = f"/api/v1/reports/{YEAR}/worklist/import"
dry = ok(*call("POST", path + "?dry_run=true", token, filled, XLSX))
check(dry["dry_run"] and dry["created"] == len(answers) + 1 and dry["added"] == 1, f"the dry run would create {len(answers)} answers and add an action")
first = owed[0]
check(call("GET", first["answer"], ADMIN)[0] == 404, "the dry run wrote nothing")

# for real, once per Idempotency-Key
key = {"Idempotency-Key": str(uuid.uuid4())}
done = ok(*call("POST", path, token, filled, XLSX, key))
check(done["created"] == len(answers) + 1 and not done["dry_run"], f"the import wrote {len(answers)} answers and added an action")
added = next(item for item in done["items"] if item["sheet"] == "Nieuwe acties")
action = ok(*call("GET", f"/api/v1/actions/{added['id']}", ADMIN))
check(action["title"] == new_title and action["department_id"] == DEPARTMENT, "the new action is the department's")
planned = ok(*call("GET", f"/api/v1/actions/{added['id']}/statuses/{YEAR}", ADMIN))
check(planned["status"] == "planned" and planned["review"]["state"] == "submitted", "its plan waits for review")
again = ok(*call("POST", path, token, filled, XLSX, key))
check(again == done, "a retry with the same Idempotency-Key gets the first answer")

# the API shows exactly those answers, submitted for review
words = {
    "in uitvoering": "in_progress", "opvolging": "monitoring", "lopend": "in_progress",
}
for item in owed:
    given = answers[f"{item['kind']}/{item['id']}"]
    written = ok(*call("GET", item["answer"], ADMIN))
    expected_status = words.get(given["status"], given["status"])
    check(written["status"] == expected_status, f"{item['answer']}: status {expected_status}")
    check(written["note"] == given["note"], f"{item['answer']}: the note")
    for field in ("progress", "likelihood", "impact"):
        if field in given:
            check(written[field] == given[field], f"{item['answer']}: {field} {given[field]}")
    check(written["review"]["state"] == "submitted", f"{item['answer']}: submitted for review")

# a tampered sheet is refused with the cell named, and nothing is written
for cell, value, what in [("K2", "kapot", "a status that is not in the list"), ("L2", "=40+10", "a formula")]:
    tampered = openpyxl.load_workbook(io.BytesIO(filled))
    tampered["Werklijst"][cell].value = value
    out = io.BytesIO()
    tampered.save(out)
    status, _, body = call("POST", path, token, out.getvalue(), XLSX)
    problem = json.loads(body)
    fields = [error["field"] for error in problem.get("errors", [])]
    check(status == 422 and fields == [f"Werklijst!{cell}"], f"{what} is refused naming Werklijst!{cell}: {fields}")
