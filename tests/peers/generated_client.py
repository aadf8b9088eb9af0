"""A department developer's view of the API: generate a Python client from the committed spec
with openapi-python-client, and drive a running demo server with it (login, an entry read, an
aggregate, a pull, an import). Every answer is parsed into the generated models, so a schema that
does not describe what the server sends fails here.

Usage: python3 tests/peers/generated_client.py http://127.0.0.1:18080 openapi/openapi.json
"""

import importlib
import io
import subprocess
import sys
import tempfile
from pathlib import Path

BASE, SPEC = sys.argv[1], Path(sys.argv[2]).resolve()
VILLAGE, TOWNSHIP = "522301100200", "522301100"


def generate(into: Path):
    result = subprocess.run(
        ["openapi-python-client", "generate", "--path", str(SPEC), "--meta", "none",
         "--output-path", str(into / "onetable_client"), "--overwrite"],
        capture_output=True, text=True,
    )
    out = result.stdout + result.stderr
    if result.returncode != 0:
        sys.exit(f"openapi-python-client failed:\n{out}")
    # The tool has no support for text/csv, XLSX, XLS or ZIP request bodies at all; the file
    # uploads are generated from their multipart alternatives. Nor for a ZIP, XLSX or PDF answer:
    # those operations are generated without a parsed response (the bytes are in `.content`). Any
    # other warning means a part of the spec it could not read.
    uploads = {"WARNING parsing POST /api/v1/imports within entries.",
               "WARNING parsing POST /api/v1/forms/analyze within forms.",
               "WARNING parsing POST /api/v1/forms/cleanup within forms.",
               "WARNING parsing GET /api/v1/data-requests/{id}/extract within sharing.",
               "WARNING parsing POST /api/v1/users/import within users.",
               "WARNING parsing GET /api/v1/users/import/template within users.",
               "WARNING parsing GET /api/v1/entries/{region}/{period}/print.pdf within entries.",
               "WARNING parsing POST /api/v1/registers/{code}/imports within registers.",
               "WARNING parsing POST /api/v1/supplies/{id}/values within sharing.",
               "WARNING parsing POST /api/v1/supplies/{id}/records/{register} within sharing."}
    # Nor for an XLSX or PDF answer (the staff template, the initial passwords, the printed form).
    binary_answers = ("application/zip", "application/vnd.openxmlformats", "application/pdf")
    lines = [l for l in out.splitlines() if l.startswith(("WARNING", "Unsupported", "Cannot parse response"))]
    unexpected = [l for l in lines if not (l.startswith("Unsupported content type") or l in uploads
                                           or (l.startswith("Cannot parse response") and any(b in l for b in binary_answers)))]
    if unexpected:
        sys.exit("openapi-python-client could not read part of the spec:\n" + "\n".join(unexpected) + "\n" + out)
    for generated in [("entries", "create_import.py"), ("forms", "analyze_form.py"), ("forms", "cleanup_forms.py"),
                      ("users", "import_users.py"), ("registers", "import_records.py"), ("sharing", "push_values.py"),
                      ("sharing", "push_records.py")]:
        if not (into / "onetable_client" / "api" / generated[0] / generated[1]).exists():
            sys.exit(f"the upload operation {generated[1]} was not generated")


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


def main():
    workdir = Path(tempfile.mkdtemp(prefix="onetable-client-"))
    generate(workdir)
    sys.path.insert(0, str(workdir))
    client_mod = importlib.import_module("onetable_client")
    models = importlib.import_module("onetable_client.models")
    from onetable_client.api.auth import login
    from onetable_client.api.entries import create_import, get_entry
    from onetable_client.api.sharing import aggregates, list_requests, pull
    from onetable_client.types import File

    public = client_mod.Client(base_url=BASE)

    def sign_in(username, password):
        answer = login.sync_detailed(client=public, body=models.LoginRequest(username=username, password=password))
        check(answer.status_code == 200, f"login of {username}: {answer.status_code} {answer.content[:300]!r}")
        check(isinstance(answer.parsed, models.TokenResponse), f"login parsed: {answer.parsed!r}")
        return client_mod.AuthenticatedClient(base_url=BASE, token=answer.parsed.access_token)

    refused = login.sync_detailed(client=public, body=models.LoginRequest(username="demo_clerk", password="wrong-password"))
    check(refused.status_code == 401 and isinstance(refused.parsed, models.ErrorBody), f"a refused login: {refused.parsed!r}")

    clerk = sign_in("demo_clerk", "Clerk-demo-2025")
    # 2024 is the demo clerk's approved year (2025 is left in draft, a third filled).
    entry = get_entry.sync_detailed(VILLAGE, "2024", client=clerk)
    check(entry.status_code == 200, f"entry: {entry.status_code} {entry.content[:300]!r}")
    check(isinstance(entry.parsed, models.Entry), f"entry parsed: {entry.parsed!r}")
    check(entry.parsed.region_code == VILLAGE and len(entry.parsed.values) > 50,
          f"the demo village's values: {len(entry.parsed.values)}")
    numbers = [c.value for c in entry.parsed.values if c.code == "POP.REGISTERED"]
    check(numbers and isinstance(numbers[0], (int, float)), f"a number is a number: {numbers!r}")
    check(str(entry.parsed.values[0].entered_at.tzinfo) in ("UTC", "tzutc()"), "times carry their zone")

    viewer = sign_in("demo_viewer", "Viewer-demo-2025")
    rollup = aggregates.sync_detailed(client=viewer, indicators="POP.REGISTERED,DER.AGEING_RATE",
                                      within="5223", level=models.Level.COUNTY, period="2025")
    check(rollup.status_code == 200, f"aggregates: {rollup.status_code} {rollup.content[:300]!r}")
    check(isinstance(rollup.parsed, models.AggregateAnswer), f"aggregates parsed: {rollup.parsed!r}")
    check(len(rollup.parsed.rows) == 8, f"eight counties: {len(rollup.parsed.rows)}")
    first = rollup.parsed.rows[0]
    check(first.completeness.expected > 0, "completeness")
    check("POP.REGISTERED" in first.values.additional_properties, f"values by code: {first.values!r}")

    department = sign_in("demo_department", "Dept-demo-2025")
    requests = list_requests.sync_detailed(client=department)
    check(requests.status_code == 200 and requests.parsed.total >= 1, f"requests: {requests.content[:300]!r}")
    request_id = requests.parsed.items[0].id
    pulled = pull.sync_detailed(request_id, client=department, period="2025", level=models.Level.COUNTY)
    check(pulled.status_code == 200, f"pull: {pulled.status_code} {pulled.content[:300]!r}")
    check(isinstance(pulled.parsed, models.PullAnswer), f"pull parsed: {pulled.parsed!r}")
    check(len(pulled.parsed.rows) == 8, "a row per county")

    reviewer = sign_in("demo_reviewer", "Reviewer-demo-2025")
    csv = f"region_code,indicator_code,period,value\n{VILLAGE},POP.REGISTERED,2025,1234\n".encode()
    upload = models.ImportUpload(file=File(payload=io.BytesIO(csv), file_name="values.csv", mime_type="text/csv"))
    imported = create_import.sync_detailed(client=reviewer, body=upload, dry_run=True)
    check(imported.status_code in (200, 422), f"import: {imported.status_code} {imported.content[:300]!r}")
    parsed_type = models.ImportReport if imported.status_code == 200 else models.ErrorBody
    check(isinstance(imported.parsed, parsed_type), f"import parsed: {imported.parsed!r}")
    print("generated client: login, entry, aggregate, pull and import all parsed")


main()
