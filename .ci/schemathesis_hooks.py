"""schemathesis hooks for .ci/fuzz: the bodies of media types it cannot make from a schema.

A workbook sent back (`POST /reports/{year}/worklist/import`) is binary: the fuzzer sends
arbitrary bytes, an empty body, and zip archives that are not workbooks, and the service must
answer each with a problem (422, 413), never a 500.
"""

import io
import zipfile

import schemathesis
from hypothesis import strategies as st


def _zip(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(name, data)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

schemathesis.openapi.media_type(
    XLSX,
    st.one_of(
        st.binary(max_size=4096),
        st.just(b""),
        st.just(_zip([("hello.txt", b"hallo")])),
        st.just(_zip([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])),
        st.just(_zip([("xl/worksheets/sheet1.xml", b"\0" * 200_000)])),
    ),
)
