"""Write postman_collection.json: every route in an order that runs on an empty database.

Each request asserts its status and the shape of its answer, and captures tokens and ids into
collection variables for the requests after it. Run: .venv/bin/python scripts/postman_collection.py
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "postman_collection.json"

ENTRY_KEYS = [
    "id",
    "customer",
    "type",
    "amount",
    "note",
    "entry_date",
    "due_date",
    "created_at",
    "reverses",
    "reversed_by",
    "created_by",
]
BOOK_KEYS = [
    "id",
    "name",
    "address",
    "phone",
    "email",
    "currency",
    "locale",
    "time_zone",
    "payment_details",
    "role",
    "archived",
]
MEMBER_KEYS = ["id", "username", "role", "status", "invited_by", "created_at"]
CUSTOMER_KEYS = [
    "id",
    "name",
    "phone",
    "address",
    "email",
    "kind",
    "locale",
    "credit_limit",
    "credit_limit_policy",
    "payment_terms_days",
    "reminders_enabled",
    "archived",
    "total_credit",
    "total_debit",
    "balance",
    "due",
    "overdue",
    "entry_count",
    "last_entry_date",
]
LINK_KEYS = [
    "id",
    "url",
    "customer",
    "created_at",
    "expires_at",
    "revoked",
    "created_by",
    "opened_count",
    "last_opened_at",
]
WEBHOOK_KEYS = ["id", "url", "events", "enabled", "created_at", "created_by"]
DELIVERY_KEYS = ["id", "event", "status", "attempts", "last_response", "payload"]
REMINDER_KEYS = ["id", "customer", "channel", "subject", "text", "status", "sent_at", "link"]
REMINDER_SETTINGS_KEYS = [
    "enabled",
    "every_days",
    "min_overdue_days",
    "channel",
    "templates",
    "placeholders",
]
AGEING_KEYS = ["customer", "kind", "as_of", "due", "overdue", "oldest_due_date", "buckets"]
SUMMARY_KEYS = [
    "customer",
    "total_credit",
    "total_debit",
    "balance",
    "entry_count",
    "last_entry_date",
]
# customerId goes in unquoted so the JSON carries a number.
DEBIT_BODY = json.dumps(
    {
        "customer": "{{customerId}}",
        "type": "debit",
        "amount": 1250.5,
        "entry_date": "2026-01-20",
        "note": "cash",
    },
    indent=2,
).replace('"{{customerId}}"', "{{customerId}}")
IMPORT_CSV = (
    "type,amount,entry_date,note\ncredit,300.00,2026-02-01,sugar\ndebit,49.50,2026-02-02,UPI\n"
)
TOKEN_KEYS = ["id", "name", "kind", "created_at", "last_used_at", "expires_at"]
STATEMENT_KEYS = [
    "customer",
    "customer_name",
    "start_date",
    "end_date",
    "opening_balance",
    "total_credit",
    "total_debit",
    "closing_balance",
    "entry_count",
    "page_opening_balance",
    "entries",
    "next",
]
PAGE_KEYS = ["count", "next", "previous", "results"]
JOB_KEYS = [
    "id",
    "kind",
    "status",
    "progress",
    "created_at",
    "started_at",
    "finished_at",
    "cancel_requested",
    "result",
    "error",
    "result_url",
]


def request(
    name,
    method,
    path,
    *,
    body=None,
    status=200,
    keys=(),
    tests=(),
    prerequest=(),
    headers=(),
    auth=True,
    raw_body=None,
    content_type="application/json",
):
    exec_lines = [
        f'pm.test("status is {status}", () => pm.response.to.have.status({status}));',
    ]
    if keys:
        exec_lines += [
            "const body = pm.response.json();",
            f'pm.test("answer has {", ".join(keys)}", () => '
            f"pm.expect(body).to.include.all.keys({json.dumps(list(keys))}));",
        ]
    exec_lines += list(tests)
    item = {
        "name": name,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": exec_lines}}],
        "request": {
            "method": method,
            "header": [{"key": k, "value": v} for k, v in headers],
            "url": "{{baseUrl}}" + path,
        },
    }
    if prerequest:
        item["event"].append(
            {
                "listen": "prerequest",
                "script": {"type": "text/javascript", "exec": list(prerequest)},
            }
        )
    if body is not None or raw_body is not None:
        item["request"]["header"].append({"key": "Content-Type", "value": content_type})
        item["request"]["body"] = {
            "mode": "raw",
            "raw": raw_body if raw_body is not None else json.dumps(body, indent=2),
        }
    if not auth:
        item["request"]["auth"] = {"type": "noauth"}
    return item


def follow_job(name, variable, checks):
    """GET the job in `variable` again (up to 300 times) until it has finished; then it must
    have succeeded, and pass `checks` (JavaScript lines that read `body`)."""
    return request(
        name,
        "GET",
        "/api/jobs/{{" + variable + "}}/",
        keys=JOB_KEYS,
        prerequest=["setTimeout(() => {}, 200);"],
        tests=[
            'const polls = Number(pm.collectionVariables.get("jobPolls")) + 1;',
            'pm.collectionVariables.set("jobPolls", polls);',
            'if (["queued", "running"].includes(body.status) && polls < 300) {',
            "    postman.setNextRequest(pm.info.requestName);",
            "} else {",
            '    pm.test("succeeded", () => pm.expect(body.status).to.eql("succeeded"));',
            *(f"    {check}" for check in checks),
            "}",
        ],
    )


def save(variable, expression):
    return f'pm.collectionVariables.set("{variable}", {expression});'


def build():
    auth = [
        request(
            "Register",
            "POST",
            "/api/auth/register/",
            body={
                "username": "{{username}}",
                "password": "{{password}}",
                "email": "{{username}}@example.com",
            },
            status=201,
            keys=["id", "username", "access", "refresh", "token"],
            auth=False,
            prerequest=[
                save(
                    "username", '"merchant_" + Date.now() + "_" + Math.floor(Math.random() * 10000)'
                ),
                save("password", '"pw-" + Math.floor(Math.random() * 1e6) + "-long-enough"'),
            ],
        ),
        request(
            "Log in",
            "POST",
            "/api/auth/login/",
            body={"username": "{{username}}", "password": "{{password}}"},
            keys=["access", "refresh", "token"],
            auth=False,
            tests=[
                'pm.test("token is an opaque token, not the JWT", () => '
                "pm.expect(body.token).to.not.eql(body.access));",
                save("access", "body.access"),
                save("refresh", "body.refresh"),
                save("token", "body.token"),
            ],
        ),
        request(
            "Log in with a wrong password is a 401",
            "POST",
            "/api/auth/login/",
            body={"username": "{{username}}", "password": "wrong"},
            status=401,
            keys=["detail"],
            auth=False,
        ),
        request(
            "Me (with my default book)",
            "GET",
            "/api/auth/me/",
            keys=["id", "username", "first_name", "last_name", "email", "default_book"],
            tests=[save("bookId", "body.default_book")],
        ),
        request(
            "Me with the opaque token (v2 clients)",
            "GET",
            "/api/auth/me/",
            headers=[("Authorization", "Token {{token}}")],
            keys=["id"],
            auth=False,
        ),
        request(
            "Me without a token is a 401",
            "GET",
            "/api/auth/me/",
            status=401,
            keys=["detail"],
            auth=False,
        ),
        request(
            "Refresh (rotates the refresh token)",
            "POST",
            "/api/auth/refresh/",
            body={"refresh": "{{refresh}}"},
            keys=["access", "refresh"],
            auth=False,
            tests=[
                save("oldRefresh", 'pm.collectionVariables.get("refresh")'),
                save("access", "body.access"),
                save("refresh", "body.refresh"),
            ],
        ),
        request(
            "The rotated refresh token is refused",
            "POST",
            "/api/auth/refresh/",
            body={"refresh": "{{oldRefresh}}"},
            status=401,
            auth=False,
        ),
        request(
            "Create a named token for an integration",
            "POST",
            "/api/auth/tokens/",
            body={"name": "Shop till"},
            status=201,
            keys=[*TOKEN_KEYS, "token"],
            tests=[save("integrationToken", "body.token"), save("integrationId", "body.id")],
        ),
        request(
            "List my sessions and tokens (no secrets)",
            "GET",
            "/api/auth/tokens/",
            keys=PAGE_KEYS,
            tests=[
                'pm.test("no secret listed", () => '
                'body.results.forEach(t => pm.expect(t).to.not.have.property("token")));'
            ],
        ),
        request(
            "The integration's token works",
            "GET",
            "/api/auth/me/",
            headers=[("Authorization", "Token {{integrationToken}}")],
            keys=["id"],
            auth=False,
        ),
        request(
            "Revoke the integration's token",
            "DELETE",
            "/api/auth/tokens/{{integrationId}}/",
            status=204,
        ),
        request(
            "A revoked token is refused",
            "GET",
            "/api/auth/me/",
            headers=[("Authorization", "Token {{integrationToken}}")],
            status=401,
            auth=False,
        ),
        request(
            "Change the password with a wrong old one is a 400",
            "POST",
            "/api/auth/password/",
            body={"old_password": "wrong", "new_password": "{{password}}-new"},
            status=400,
            keys=["old_password"],
        ),
        request(
            "Ask for a password reset link by email (the same 202 for any address)",
            "POST",
            "/api/auth/password/reset/",
            body={"email": "{{username}}@example.com"},
            status=202,
            keys=["detail"],
            auth=False,
        ),
        request(
            "A reset link that was altered is a 400 and changes nothing",
            "POST",
            "/api/auth/password/reset/confirm/",
            body={"uid": "MQ", "token": "not-a-token", "new_password": "{{password}}-new"},
            status=400,
            keys=["token"],
            auth=False,
        ),
    ]
    customers = [
        request(
            "Create a customer",
            "POST",
            "/api/customers/",
            body={"name": "Ravi Kumar", "phone": "+91 98765 43210", "address": "12 MG Road"},
            status=201,
            keys=CUSTOMER_KEYS,
            tests=[
                save("customerId", "body.id"),
                'pm.test("starts at zero", () => pm.expect(body.balance).to.eql("0.00"));',
            ],
        ),
        request(
            "Create a customer without a name is a 400",
            "POST",
            "/api/customers/",
            body={"phone": "123"},
            status=400,
            keys=["name"],
        ),
        request(
            "List customers", "GET", "/api/customers/?search=ravi&ordering=-balance", keys=PAGE_KEYS
        ),
        request("Get a customer", "GET", "/api/customers/{{customerId}}/", keys=CUSTOMER_KEYS),
        request(
            "Replace a customer",
            "PUT",
            "/api/customers/{{customerId}}/",
            body={"name": "Ravi K", "phone": "+91 98765 43210"},
            keys=CUSTOMER_KEYS,
        ),
        request(
            "Change a customer",
            "PATCH",
            "/api/customers/{{customerId}}/",
            body={"email": "ravi@example.com"},
            keys=CUSTOMER_KEYS,
        ),
        request(
            "Another user's or a missing customer is a 404",
            "GET",
            "/api/customers/999999999/",
            status=404,
            keys=["detail"],
        ),
    ]
    entries = [
        request(
            "Post a credit (nested)",
            "POST",
            "/api/customers/{{customerId}}/entries/",
            body={
                "type": "credit",
                "amount": "5000.00",
                "entry_date": "2026-01-10",
                "note": "rice, 50 kg",
            },
            status=201,
            keys=ENTRY_KEYS,
            tests=[save("entryId", "body.id")],
        ),
        request(
            "Post a debit (flat) with an Idempotency-Key",
            "POST",
            "/api/entries/",
            raw_body=DEBIT_BODY,
            headers=[("Idempotency-Key", "{{idempotencyKey}}")],
            prerequest=[save("idempotencyKey", '"pay-" + Date.now()')],
            status=201,
            keys=ENTRY_KEYS,
            tests=[
                save("debitId", "body.id"),
                'pm.test("amount is a two-place string", () => '
                'pm.expect(body.amount).to.eql("1250.50"));',
            ],
        ),
        request(
            "The same Idempotency-Key replays the answer",
            "POST",
            "/api/entries/",
            raw_body=DEBIT_BODY,
            headers=[("Idempotency-Key", "{{idempotencyKey}}")],
            status=201,
            keys=ENTRY_KEYS,
            tests=[
                'pm.test("replayed", () => '
                'pm.expect(pm.response.headers.get("Idempotent-Replayed")).to.eql("true"));',
                'pm.test("same entry", () => pm.expect(body.id).to.eql('
                'pm.collectionVariables.get("debitId")));',
            ],
        ),
        request(
            "A zero amount is a 400",
            "POST",
            "/api/customers/{{customerId}}/entries/",
            body={"type": "credit", "amount": "0"},
            status=400,
            keys=["amount"],
        ),
        request(
            "List a customer's entries",
            "GET",
            "/api/customers/{{customerId}}/entries/?type=credit&ordering=-entry_date",
            keys=PAGE_KEYS,
            tests=['pm.test("one credit", () => pm.expect(body.count).to.eql(1));'],
        ),
        request(
            "List entries with filters",
            "GET",
            "/api/entries/?customer={{customerId}}&start_date=2026-01-01"
            "&end_date=2026-01-31&min_amount=100",
            keys=PAGE_KEYS,
            tests=['pm.test("both entries", () => pm.expect(body.count).to.eql(2));'],
        ),
        request(
            "A malformed filter is a 400",
            "GET",
            "/api/entries/?start_date=January",
            status=400,
            keys=["start_date"],
        ),
        request("Get an entry", "GET", "/api/entries/{{entryId}}/", keys=ENTRY_KEYS),
        request(
            "Entries cannot be edited (405)",
            "PATCH",
            "/api/entries/{{entryId}}/",
            body={"amount": "1.00"},
            status=405,
            keys=["detail"],
        ),
        request(
            "Entries cannot be deleted (405)",
            "DELETE",
            "/api/entries/{{entryId}}/",
            status=405,
            keys=["detail"],
        ),
        request(
            "Reverse an entry",
            "POST",
            "/api/entries/{{debitId}}/reverse/",
            body={"note": "cheque bounced"},
            status=201,
            keys=ENTRY_KEYS,
            tests=[
                'pm.test("opposite type", () => pm.expect(body.type).to.eql("credit"));',
                'pm.test("linked", () => pm.expect(body.reverses).to.eql('
                'pm.collectionVariables.get("debitId")));',
            ],
        ),
        request(
            "Reversing twice is a 409",
            "POST",
            "/api/entries/{{debitId}}/reverse/",
            status=409,
            keys=["detail"],
        ),
        request(
            "Customer summary",
            "GET",
            "/api/customers/{{customerId}}/summary/",
            keys=SUMMARY_KEYS,
            tests=['pm.test("balance", () => pm.expect(body.balance).to.eql("5000.00"));'],
        ),
        request(
            "Customer summary as of a day",
            "GET",
            "/api/customers/{{customerId}}/summary/?as_of=2026-01-15",
            keys=SUMMARY_KEYS,
            tests=[
                'pm.test("only the credit", () => pm.expect(body.balance).to.eql("5000.00")'
                " && pm.expect(body.entry_count).to.eql(1));"
            ],
        ),
        request(
            "Import entries from CSV (dry run)",
            "POST",
            "/api/customers/{{customerId}}/entries/import/?dry_run=true",
            raw_body=IMPORT_CSV,
            content_type="text/csv",
            keys=["imported", "valid_rows", "dry_run"],
            tests=['pm.test("nothing written", () => pm.expect(body.imported).to.eql(0));'],
        ),
        request(
            "Import entries from CSV",
            "POST",
            "/api/customers/{{customerId}}/entries/import/",
            raw_body=IMPORT_CSV,
            content_type="text/csv",
            status=201,
            keys=["imported"],
            tests=['pm.test("two rows", () => pm.expect(body.imported).to.eql(2));'],
        ),
        request(
            "A bad CSV row is a 400 naming its line",
            "POST",
            "/api/customers/{{customerId}}/entries/import/",
            raw_body=IMPORT_CSV + "debit,ten,2026-02-03,oops\n",
            content_type="text/csv",
            status=400,
            keys=["detail", "line", "errors"],
            tests=['pm.test("line 4", () => pm.expect(body.line).to.eql(4));'],
        ),
        request(
            "Statement (JSON)",
            "GET",
            "/api/customers/{{customerId}}/statement/?start_date=2026-01-15&end_date=2026-02-28",
            keys=STATEMENT_KEYS,
            tests=[
                'pm.test("opening balance", () => '
                'pm.expect(body.opening_balance).to.eql("5000.00"));',
                'pm.test("running balance", () => '
                "pm.expect(body.entries[body.entries.length - 1].balance)"
                ".to.eql(body.closing_balance));",
                'pm.test("one page", () => pm.expect(body.next).to.eql(null));',
            ],
        ),
        request(
            "Statement (CSV)",
            "GET",
            "/api/customers/{{customerId}}/statement/?format=csv",
            tests=[
                'pm.test("is CSV", () => pm.expect(pm.response.headers.get("Content-Type"))'
                '.to.include("text/csv"));',
                'pm.test("has the header", () => pm.expect(pm.response.text())'
                '.to.include("date,entry_id,type,note,credit,debit,balance"));',
            ],
        ),
        request(
            "Statement (PDF)",
            "GET",
            "/api/customers/{{customerId}}/statement/?format=pdf",
            tests=[
                'pm.test("is a PDF", () => pm.expect(pm.response.headers.get("Content-Type"))'
                '.to.eql("application/pdf"));',
            ],
        ),
        request(
            "Export entries (CSV)",
            "GET",
            "/api/entries/?format=csv&customer={{customerId}}",
            tests=[
                'pm.test("is CSV", () => pm.expect(pm.response.headers.get("Content-Type"))'
                '.to.include("text/csv"));',
                'pm.test("five entries and a header", () => '
                'pm.expect(pm.response.text().trim().split("\\n").length).to.eql(6));',
            ],
        ),
        request(
            "Dashboard",
            "GET",
            "/api/summary/",
            keys=[
                "total_receivable",
                "total_payable",
                "net",
                "customer_count",
                "customers_with_dues",
                "by_kind",
                "overdue",
                "ageing",
            ],
        ),
    ]
    archive = [
        request("Archive a customer", "DELETE", "/api/customers/{{customerId}}/", status=204),
        request(
            "Archived customers",
            "GET",
            "/api/customers/?archived=true",
            keys=PAGE_KEYS,
            tests=['pm.test("listed", () => pm.expect(body.count).to.eql(1));'],
        ),
        request(
            "Restore a customer",
            "POST",
            "/api/customers/{{customerId}}/restore/",
            keys=CUSTOMER_KEYS,
            tests=['pm.test("active", () => pm.expect(body.archived).to.eql(false));'],
        ),
    ]
    v1 = [
        request(
            "v1: JWT at /api/token/",
            "POST",
            "/api/token/",
            body={"username": "{{username}}", "password": "{{password}}"},
            keys=["access", "refresh"],
            auth=False,
            tests=[save("v1Refresh", "body.refresh")],
        ),
        request(
            "v1: refresh at /api/token/refresh/",
            "POST",
            "/api/token/refresh/",
            body={"refresh": "{{v1Refresh}}"},
            keys=["access"],
            auth=False,
        ),
        request(
            "v1: the same refresh token again (v1 refresh tokens do not rotate)",
            "POST",
            "/api/token/refresh/",
            body={"refresh": "{{v1Refresh}}"},
            keys=["access"],
            auth=False,
        ),
        request("v1: customers under /app/", "GET", "/app/customers/", keys=PAGE_KEYS),
        request(
            "v1: flat entries filtered by customer",
            "GET",
            "/app/entries/?customer={{customerId}}&type=credit",
            keys=PAGE_KEYS,
        ),
        request(
            "v1: summary at /summery/",
            "GET",
            "/app/customers/{{customerId}}/summery/",
            keys=SUMMARY_KEYS,
        ),
    ]
    jobs = [
        request(
            "A customer for a big import",
            "POST",
            "/api/customers/",
            body={"name": "Bulk buyer"},
            status=201,
            keys=["id"],
            tests=[save("bulkCustomerId", "body.id")],
        ),
        request(
            "A big CSV is imported by a job (202, Location)",
            "POST",
            "/api/customers/{{bulkCustomerId}}/entries/import/",
            raw_body="{{bigCsv}}",
            content_type="text/csv",
            status=202,
            keys=JOB_KEYS,
            prerequest=[
                "// Over IMPORT_SYNC_MAX_BYTES (512 KB): 25,000 rows of 1.00.",
                "const rows = Array.from({length: 25000}, (_, n) => "
                '"credit,1.00,2026-03-01,row " + n);',
                'pm.variables.set("bigCsv", "type,amount,entry_date,note\\n" + '
                'rows.join("\\n") + "\\n");',
                'pm.collectionVariables.set("jobPolls", 0);',
            ],
            tests=[
                save("jobId", "body.id"),
                'pm.test("queued", () => pm.expect(body.kind).to.eql("import"));',
                'pm.test("Location is the job, under its book", () => pm.expect('
                'pm.response.headers.get("Location")).to.include("/api/books/" + '
                'pm.collectionVariables.get("bookId") + "/jobs/" + body.id + "/"));',
            ],
        ),
        follow_job(
            "Follow the job until it has finished",
            "jobId",
            ['pm.test("every row", () => pm.expect(body.result).to.eql({imported: 25000}));'],
        ),
        request(
            "The caller's jobs",
            "GET",
            "/api/jobs/",
            keys=PAGE_KEYS,
            tests=[
                'pm.test("the import", () => pm.expect(body.results[0].kind).to.eql("import"));'
            ],
        ),
        request(
            "A finished job cannot be cancelled (409)",
            "DELETE",
            "/api/jobs/{{jobId}}/",
            status=409,
            keys=["detail"],
        ),
        request(
            "An export made by a job (Prefer: respond-async; over EXPORT_SYNC_MAX_ROWS it is one)",
            "GET",
            "/api/customers/{{bulkCustomerId}}/entries/?format=csv&ordering=entry_date",
            headers=[("Prefer", "respond-async")],
            status=202,
            keys=JOB_KEYS,
            prerequest=['pm.collectionVariables.set("jobPolls", 0);'],
            tests=[
                save("exportJobId", "body.id"),
                'pm.test("an export", () => pm.expect(body.kind).to.eql("export"));',
                'pm.test("as asked", () => pm.expect('
                'pm.response.headers.get("Preference-Applied")).to.eql("respond-async"));',
            ],
        ),
        follow_job(
            "Follow the export until its file is ready",
            "exportJobId",
            [
                'pm.test("every row", () => pm.expect(body.result.rows).to.eql(25000));',
                'pm.test("a file to download", () => pm.expect(body.result_url).to.include('
                '"/api/books/" + pm.collectionVariables.get("bookId") + "/jobs/" + body.id + '
                '"/download/"));',
            ],
        ),
        request(
            "Download the export's file",
            "GET",
            "/api/jobs/{{exportJobId}}/download/",
            tests=[
                'pm.test("is CSV", () => pm.expect(pm.response.headers.get("Content-Type"))'
                '.to.include("text/csv"));',
                'const lines = pm.response.text().trim().split("\\n");',
                'pm.test("a header and every row", () => pm.expect(lines.length).to.eql(25001));',
                'pm.test("its columns", () => pm.expect(lines[0])'
                '.to.include("id,customer,customer_name,type,amount"));',
            ],
        ),
    ]
    dues = [
        request(
            "A customer on 15 days' credit, up to a limit the shop will not pass (managers)",
            "POST",
            "/api/customers/",
            body={
                "name": "Gupta Traders",
                "payment_terms_days": 15,
                "credit_limit": "10000.00",
                "credit_limit_policy": "block",
            },
            status=201,
            keys=CUSTOMER_KEYS,
            tests=[save("dueCustomerId", "body.id")],
        ),
        request(
            "A credit falls due after the terms",
            "POST",
            "/api/customers/{{dueCustomerId}}/entries/",
            body={"type": "credit", "amount": "3000.00", "entry_date": "2026-01-05"},
            status=201,
            keys=[*ENTRY_KEYS, "warnings"],
            tests=[
                'pm.test("due in 15 days", () => pm.expect(body.due_date).to.eql("2026-01-20"));'
            ],
        ),
        request(
            "A credit past the block limit is a 409 and posts nothing",
            "POST",
            "/api/customers/{{dueCustomerId}}/entries/",
            body={"type": "credit", "amount": "9000.00", "entry_date": "2026-01-06"},
            status=409,
            keys=["detail", "credit_limit", "balance_after"],
            tests=[
                'pm.test("says where it would go", () => '
                'pm.expect(body.balance_after).to.eql("12000.00"));'
            ],
        ),
        request(
            "A payment settles the oldest due first",
            "POST",
            "/api/customers/{{dueCustomerId}}/entries/",
            body={"type": "debit", "amount": "1000.00", "entry_date": "2026-01-25"},
            status=201,
            keys=ENTRY_KEYS,
        ),
        request(
            "The customer's ageing as of a day",
            "GET",
            "/api/customers/{{dueCustomerId}}/ageing/?as_of=2026-02-28",
            keys=AGEING_KEYS,
            tests=[
                'pm.test("2000 is 39 days late", () => '
                'pm.expect(body.buckets["31-60"]).to.eql("2000.00"));',
                'pm.test("since 20 January", () => '
                'pm.expect(body.oldest_due_date).to.eql("2026-01-20"));',
            ],
        ),
        request(
            "Who owes what is overdue, most first",
            "GET",
            "/api/customers/?overdue=true&ordering=-overdue",
            keys=PAGE_KEYS,
            tests=[
                'pm.test("Gupta is among them", () => pm.expect(body.results.map(c => c.id))'
                '.to.include(Number(pm.collectionVariables.get("dueCustomerId"))));',
                "const overdue = body.results.map(c => Number(c.overdue));",
                'pm.test("most overdue first", () => pm.expect(overdue)'
                ".to.eql([...overdue].sort((a, b) => b - a)));",
            ],
        ),
        request(
            "A statement link the customer opens without an account (clerks)",
            "POST",
            "/api/customers/{{dueCustomerId}}/links/",
            body={"days": 7},
            status=201,
            keys=LINK_KEYS,
            tests=[
                save("linkId", "body.id"),
                save("linkPath", 'body.url.replace(/^https?:\\/\\/[^/]+/, "")'),
            ],
        ),
        request(
            "The customer's links",
            "GET",
            "/api/customers/{{dueCustomerId}}/links/",
            keys=PAGE_KEYS,
        ),
        request(
            "The customer opens it: a page for a phone, no account",
            "GET",
            "{{linkPath}}",
            auth=False,
            tests=[
                'pm.test("is HTML", () => pm.expect(pm.response.headers.get("Content-Type"))'
                '.to.include("text/html"));',
                'pm.test("says what is due", () => pm.expect(pm.response.text())'
                '.to.include("Amount due from you"));',
            ],
        ),
        request(
            "A manager revokes it",
            "DELETE",
            "/api/customers/{{dueCustomerId}}/links/{{linkId}}/",
            status=204,
        ),
        request(
            "A revoked link opens a plain page saying so",
            "GET",
            "{{linkPath}}",
            status=410,
            auth=False,
            tests=[
                'pm.test("withdrawn", () => pm.expect(pm.response.text()).to.include("withdrawn"));'
            ],
        ),
        request(
            "A supplier: what you will give",
            "POST",
            "/api/customers/",
            body={"name": "Atta Mill", "kind": "supplier", "payment_terms_days": 30},
            status=201,
            keys=CUSTOMER_KEYS,
            tests=[save("supplierId", "body.id")],
        ),
        request(
            "A supplier's debit is what the book owes it",
            "POST",
            "/api/customers/{{supplierId}}/entries/",
            body={"type": "debit", "amount": "7500.00", "entry_date": "2026-01-01"},
            status=201,
            keys=ENTRY_KEYS,
            tests=[
                'pm.test("due in 30 days", () => pm.expect(body.due_date).to.eql("2026-01-31"));'
            ],
        ),
        request(
            "The dashboard splits receivable and payable by kind",
            "GET",
            "/api/summary/",
            keys=["by_kind", "overdue", "ageing"],
            tests=[
                'pm.test("the mill is owed", () => '
                'pm.expect(body.by_kind.supplier.payable).to.eql("7500.00"));',
                'pm.test("long overdue", () => '
                'pm.expect(body.ageing.payable["90+"]).to.eql("7500.00"));',
            ],
        ),
    ]
    hooks = "/api/books/{{bookId}}/webhooks/"
    reminders = "/api/customers/{{dueCustomerId}}/reminders/"
    settings = "/api/books/{{bookId}}/reminder-settings/"

    def poll_until(condition):
        """Ask again (up to 150 times, 200 ms apart) until `condition` holds of `body`: the
        worker sends in the background."""
        return [
            'const polls = Number(pm.collectionVariables.get("jobPolls")) + 1;',
            'pm.collectionVariables.set("jobPolls", polls);',
            f"if (!({condition}) && polls < 150) {{",
            "    postman.setNextRequest(pm.info.requestName);",
            "} else {",
            f'    pm.test("in the end", () => pm.expect({condition}).to.be.true);',
            "}",
        ]

    reminding = [
        request(
            "A webhook for entries and reminders (managers); its secret is shown only now",
            "POST",
            hooks,
            body={"url": "{{hookUrl}}", "events": ["entry.posted", "reminder.sent"]},
            status=201,
            keys=[*WEBHOOK_KEYS, "secret"],
            tests=[
                save("hookId", "body.id"),
                save("hookSecret", "body.secret"),
                # make e2e reads the secrets from the exported environment to verify what its
                # receiver got
                'pm.environment.set("hookSecretFirst", body.secret);',
                'pm.test("a Standard Webhooks secret", () => '
                "pm.expect(body.secret).to.match(/^whsec_/));",
            ],
        ),
        request(
            "The book's webhooks, never with their secrets",
            "GET",
            hooks,
            keys=PAGE_KEYS,
            tests=[
                'pm.test("no secret", () => '
                'pm.expect(body.results[0]).to.not.have.property("secret"));'
            ],
        ),
        request(
            "One webhook",
            "GET",
            hooks + "{{hookId}}/",
            keys=WEBHOOK_KEYS,
            tests=['pm.test("enabled", () => pm.expect(body.enabled).to.eql(true));'],
        ),
        request(
            "Change what it receives",
            "PATCH",
            hooks + "{{hookId}}/",
            body={"events": ["entry.posted", "entry.reversed", "reminder.sent"]},
            keys=WEBHOOK_KEYS,
            tests=[
                'pm.test("three events", () => pm.expect(body.events)'
                '.to.eql(["entry.posted", "entry.reversed", "reminder.sent"]));'
            ],
        ),
        request(
            "An address with a password in it is refused",
            "POST",
            hooks,
            body={"url": "https://user:pw@example.com/hook", "events": ["entry.posted"]},
            status=400,
            keys=["url"],
        ),
        request(
            "An entry posted tells the webhook",
            "POST",
            "/api/customers/{{dueCustomerId}}/entries/",
            body={"type": "credit", "amount": "100.00", "entry_date": "2026-02-01"},
            status=201,
            keys=ENTRY_KEYS,
            prerequest=['pm.collectionVariables.set("jobPolls", 0);'],
        ),
        request(
            "Its delivery, once the worker has sent it to the receiver",
            "GET",
            hooks + "{{hookId}}/deliveries/",
            keys=PAGE_KEYS,
            prerequest=["setTimeout(() => {}, 200);"],
            tests=[
                *poll_until('body.results.length > 0 && body.results[0].status === "delivered"'),
                "if (body.results.length) {",
                save("deliveryId", "body.results[0].id"),
                "}",
            ],
        ),
        request(
            "One delivery: the receiver's answer, and what was sent",
            "GET",
            hooks + "{{hookId}}/deliveries/{{deliveryId}}/",
            keys=DELIVERY_KEYS,
            tests=[
                'pm.test("the receiver said 200", () => '
                "pm.expect(body.last_response.status_code).to.eql(200));",
                'pm.test("the entry it told of", () => '
                'pm.expect(body.payload.type).to.eql("entry.posted"));',
            ],
        ),
        request(
            "Redeliver it, with the same webhook-id",
            "POST",
            hooks + "{{hookId}}/deliveries/{{deliveryId}}/redeliver/",
            status=202,
            keys=DELIVERY_KEYS,
            tests=[
                'pm.test("the same id", () => pm.expect(body.id)'
                '.to.eql(pm.collectionVariables.get("deliveryId")));'
            ],
        ),
        request(
            "Rotate the secret: the old one signs beside it for a while",
            "POST",
            hooks + "{{hookId}}/rotate-secret/",
            keys=[*WEBHOOK_KEYS, "secret"],
            tests=[
                save("hookSecret", "body.secret"),
                'pm.environment.set("hookSecret", body.secret);',
            ],
        ),
        request(
            "A reminder's text, to paste into any messenger (clerks)",
            "POST",
            reminders,
            body={},
            status=201,
            keys=REMINDER_KEYS,
            tests=[
                'pm.test("composed", () => pm.expect(body.status).to.eql("composed"));',
                'pm.test("names the customer and the link", () => {',
                '    pm.expect(body.text).to.include("Gupta Traders");',
                '    pm.expect(body.text).to.include("/s/");',
                "});",
            ],
        ),
        request(
            "Gupta's email address",
            "PATCH",
            "/api/customers/{{dueCustomerId}}/",
            body={"email": "gupta@example.com"},
            keys=CUSTOMER_KEYS,
        ),
        request(
            "A reminder by email: the worker mails it",
            "POST",
            reminders,
            body={"channel": "email"},
            status=201,
            keys=REMINDER_KEYS,
            tests=[
                'pm.test("queued", () => pm.expect(body.status).to.eql("queued"));',
                save("reminderId", "body.id"),
            ],
            prerequest=['pm.collectionVariables.set("jobPolls", 0);'],
        ),
        request(
            "A second the same day is a 409",
            "POST",
            reminders,
            body={"channel": "email"},
            status=409,
            keys=["detail"],
        ),
        request(
            "Every attempt listed: the mail went",
            "GET",
            reminders,
            keys=PAGE_KEYS,
            prerequest=["setTimeout(() => {}, 200);"],
            tests=poll_until('body.results.length > 0 && body.results[0].status === "sent"'),
        ),
        request(
            "One reminder",
            "GET",
            reminders + "{{reminderId}}/",
            keys=REMINDER_KEYS,
            tests=[
                'pm.test("to his address", () => pm.expect(body.to).to.eql("gupta@example.com"));'
            ],
        ),
        request(
            "The webhook was told too (reminder.sent)",
            "GET",
            hooks + "{{hookId}}/deliveries/",
            keys=PAGE_KEYS,
            prerequest=["setTimeout(() => {}, 200);"],
            tests=poll_until(
                'body.results.some(d => d.event === "reminder.sent" && d.status === "delivered")'
            ),
        ),
        request(
            "Reminder settings (managers)",
            "GET",
            settings,
            keys=REMINDER_SETTINGS_KEYS,
            tests=['pm.test("off at first", () => pm.expect(body.enabled).to.eql(false));'],
        ),
        request(
            "Automatic reminders every 7 days, 3 days overdue; the shop's own Hindi text",
            "PATCH",
            settings,
            body={
                "enabled": True,
                "every_days": 7,
                "min_overdue_days": 3,
                "channel": "email",
                "templates": {
                    "customer": {"hi": "{customer} जी, {business} का {amount} बाकी है। {link}"}
                },
            },
            keys=REMINDER_SETTINGS_KEYS,
            tests=[
                'pm.test("its own text", () => pm.expect(body.templates.customer.hi)'
                '.to.include("जी"));'
            ],
        ),
        request(
            "A text with an unknown placeholder is a 400",
            "PATCH",
            settings,
            body={"templates": {"customer": {"en": "Pay {total} now"}}},
            status=400,
            keys=["templates"],
        ),
        request("Remove the webhook", "DELETE", hooks + "{{hookId}}/", status=204),
    ]
    operations = [
        request("Health", "GET", "/healthz", keys=["status", "database"], auth=False),
        request(
            "OpenAPI schema",
            "GET",
            "/api/schema/?format=json",
            auth=False,
            tests=[
                'pm.test("is OpenAPI 3", () => '
                "pm.expect(pm.response.json().openapi).to.match(/^3\\./));"
            ],
        ),
        request(
            "Log out",
            "POST",
            "/api/auth/logout/",
            body={"refresh": "{{refresh}}"},
            status=205,
        ),
        request(
            "The logged-out refresh token is refused",
            "POST",
            "/api/auth/refresh/",
            body={"refresh": "{{refresh}}"},
            status=401,
            auth=False,
        ),
        request(
            "The logged-out access token is refused at once",
            "GET",
            "/api/auth/me/",
            status=401,
        ),
        request(
            "So is the logged-out session's opaque token",
            "GET",
            "/api/auth/me/",
            headers=[("Authorization", "Token {{token}}")],
            status=401,
            auth=False,
        ),
    ]
    clerk = [("Authorization", "Token {{clerkToken}}")]
    team = [
        request(
            "My books (registering opened the first)",
            "GET",
            "/api/books/",
            keys=PAGE_KEYS,
            tests=[
                'pm.test("one book, mine", () => pm.expect(body.results.map(b => [b.id, b.role]))'
                '.to.eql([[Number(pm.collectionVariables.get("bookId")), "owner"]]));',
            ],
        ),
        request(
            "Open a second book (a wholesale line)",
            "POST",
            "/api/books/",
            body={
                "name": "Wholesale",
                "currency": "INR",
                "locale": "hi-IN",
                "time_zone": "Asia/Kolkata",
                "payment_details": "wholesale@upi",
            },
            status=201,
            keys=BOOK_KEYS,
            tests=[save("secondBookId", "body.id")],
        ),
        request(
            "A clerk registers",
            "POST",
            "/api/auth/register/",
            body={"username": "{{clerkName}}", "password": "{{password}}"},
            status=201,
            keys=["token"],
            auth=False,
            prerequest=[save("clerkName", '"clerk_" + Date.now()')],
            tests=[save("clerkToken", "body.token")],
        ),
        request(
            "The owner invites the clerk",
            "POST",
            "/api/books/{{secondBookId}}/members/",
            body={"username": "{{clerkName}}", "role": "clerk"},
            status=201,
            keys=MEMBER_KEYS,
            tests=['pm.test("invited", () => pm.expect(body.status).to.eql("invited"));'],
        ),
        request(
            "Until accepting, the book is not the clerk's to see",
            "GET",
            "/api/books/{{secondBookId}}/customers/",
            status=404,
            headers=clerk,
            auth=False,
        ),
        request(
            "The clerk's invitations",
            "GET",
            "/api/auth/invitations/",
            keys=PAGE_KEYS,
            headers=clerk,
            auth=False,
            tests=[save("invitationId", "body.results[0].id")],
        ),
        request(
            "The clerk accepts",
            "POST",
            "/api/auth/invitations/{{invitationId}}/accept/",
            keys=["id", "book", "role", "status"],
            headers=clerk,
            auth=False,
            tests=['pm.test("active", () => pm.expect(body.status).to.eql("active"));'],
        ),
        request(
            "The owner adds a customer to the second book",
            "POST",
            "/api/books/{{secondBookId}}/customers/",
            body={"name": "Gupta Wholesale"},
            status=201,
            keys=CUSTOMER_KEYS,
            tests=[save("bookCustomerId", "body.id")],
        ),
        request(
            "The clerk posts an entry, attributed to them",
            "POST",
            "/api/books/{{secondBookId}}/customers/{{bookCustomerId}}/entries/",
            body={"type": "credit", "amount": "4200.00", "note": "20 bags"},
            status=201,
            keys=ENTRY_KEYS,
            headers=clerk,
            auth=False,
            tests=[
                'pm.test("by the clerk", () => pm.expect(body.created_by)'
                '.to.eql(pm.collectionVariables.get("clerkName")));',
                save("clerkEntryId", "body.id"),
            ],
        ),
        request(
            "A clerk may not reverse: 403 naming the role needed",
            "POST",
            "/api/books/{{secondBookId}}/entries/{{clerkEntryId}}/reverse/",
            body={},
            status=403,
            keys=["detail"],
            headers=clerk,
            auth=False,
            tests=['pm.test("names it", () => pm.expect(body.detail).to.include("manager"));'],
        ),
        request(
            "The owner reverses it",
            "POST",
            "/api/books/{{secondBookId}}/entries/{{clerkEntryId}}/reverse/",
            body={"note": "wrong customer"},
            status=201,
            keys=ENTRY_KEYS,
        ),
        request(
            "The second book's members",
            "GET",
            "/api/books/{{secondBookId}}/members/",
            keys=PAGE_KEYS,
            tests=['pm.test("two", () => pm.expect(body.count).to.eql(2));'],
        ),
        request(
            "The owner reads the activity: the clerk invited, then joining",
            "GET",
            "/api/books/{{secondBookId}}/activity/?actor={{clerkName}}",
            keys=PAGE_KEYS,
            tests=[
                'pm.test("the clerk joined", () => pm.expect(body.results.map(r => r.action))'
                '.to.eql(["member.joined"]));',
            ],
        ),
        request(
            "The whole trail, newest first",
            "GET",
            "/api/books/{{secondBookId}}/activity/",
            keys=PAGE_KEYS,
            tests=[
                'pm.test("newest first", () => pm.expect(body.results.map(r => r.action)'
                '.slice(0, 3)).to.eql(["customer.created", "member.joined", "member.invited"]));',
                'pm.test("each with who, when, what", () => pm.expect(body.results[0])'
                '.to.include.all.keys(["id", "at", "actor", "action", "object_type", '
                '"object_id", "changes"]));',
            ],
        ),
        request(
            "A book token for the shop's till (owners): it acts as a clerk in this book only",
            "POST",
            "/api/books/{{secondBookId}}/tokens/",
            body={"name": "Shop till", "role": "clerk"},
            status=201,
            keys=["id", "name", "role", "username", "token"],
            tests=[save("bookToken", "body.token"), save("bookTokenId", "body.id")],
        ),
        request(
            "The till posts with it; its entry names the token",
            "POST",
            "/api/customers/{{bookCustomerId}}/entries/",
            body={"type": "debit", "amount": "100.00", "note": "cash at the till"},
            status=201,
            keys=ENTRY_KEYS,
            headers=[("Authorization", "Token {{bookToken}}")],
            auth=False,
            tests=[
                'pm.test("by the token", () => '
                "pm.expect(body.created_by).to.match(/^token:shop-till:/));"
            ],
        ),
        request(
            "The owner revokes it",
            "DELETE",
            "/api/books/{{secondBookId}}/tokens/{{bookTokenId}}/",
            status=204,
        ),
        request(
            "A revoked book token is refused at once",
            "GET",
            "/api/customers/",
            status=401,
            headers=[("Authorization", "Token {{bookToken}}")],
            auth=False,
        ),
        request(
            "The second book's dashboard (the first book's is apart)",
            "GET",
            "/api/books/{{secondBookId}}/summary/",
            keys=["total_receivable", "total_payable", "net"],
            tests=['pm.test("paid 100 at the till", () => pm.expect(body.net).to.eql("-100.00"));'],
        ),
        request(
            "Archiving one's default book is a 409",
            "DELETE",
            "/api/books/{{bookId}}/",
            status=409,
            keys=["detail"],
        ),
        request(
            "Archive the second book",
            "DELETE",
            "/api/books/{{secondBookId}}/",
            status=204,
        ),
        request(
            "An archived book refuses changes",
            "POST",
            "/api/books/{{secondBookId}}/customers/",
            body={"name": "Late"},
            status=409,
            keys=["detail"],
        ),
        request(
            "Restore it",
            "POST",
            "/api/books/{{secondBookId}}/restore/",
            keys=BOOK_KEYS,
            tests=['pm.test("open", () => pm.expect(body.archived).to.eql(false));'],
        ),
        request(
            "Make it my default book",
            "PATCH",
            "/api/auth/me/",
            body={"default_book": "{{secondBookId}}"},
            keys=["default_book"],
        ),
        request(
            "The routes without a book now act on it",
            "GET",
            "/api/customers/",
            keys=PAGE_KEYS,
            tests=[
                'pm.test("its customer", () => pm.expect(body.results.map(c => c.id))'
                '.to.eql([Number(pm.collectionVariables.get("bookCustomerId"))]));',
            ],
        ),
        request(
            "Take the whole book away: its archive is made by a job (managers)",
            "GET",
            "/api/books/{{secondBookId}}/export/",
            status=202,
            keys=JOB_KEYS,
            prerequest=['pm.collectionVariables.set("jobPolls", 0);'],
            tests=[
                save("bookExportJobId", "body.id"),
                'pm.test("a book export", () => pm.expect(body.kind).to.eql("book-export"));',
            ],
        ),
        follow_job(
            "Follow the book's export (its default-book route: the second book is the default)",
            "bookExportJobId",
            [
                'pm.test("a ZIP to download", () => pm.expect(body.result.file.content_type)'
                '.to.eql("application/zip"));',
            ],
        ),
        request(
            "Download the book's archive",
            "GET",
            "/api/jobs/{{bookExportJobId}}/download/",
            tests=[
                'pm.test("is a ZIP", () => pm.expect(pm.response.headers.get("Content-Type"))'
                '.to.include("application/zip"));',
                'pm.test("starts like one", () => pm.expect(pm.response.stream.slice(0, 2)'
                '.toString()).to.eql("PK"));',
            ],
        ),
        request(
            "Back to the first book",
            "PATCH",
            "/api/auth/me/",
            body={"default_book": "{{bookId}}"},
            keys=["default_book"],
        ),
    ]
    return {
        "info": {
            "name": "Mini Ledger API",
            "description": "Every route of the Mini Ledger API, runnable in order on an empty "
            "database: it registers a fresh merchant, carries the tokens and ids itself, and "
            "asserts every answer. Set baseUrl (default http://127.0.0.1:8000) and hookUrl (a "
            "receiver of webhooks that answers 2xx; on loopback, run the server with "
            "WEBHOOK_ALLOW_PRIVATE=1).",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "auth": {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{access}}", "type": "string"}],
        },
        "variable": [
            {"key": "baseUrl", "value": "http://127.0.0.1:8000"},
            # A receiver for the webhook (on loopback, the server must allow private ranges:
            # WEBHOOK_ALLOW_PRIVATE=1); make e2e passes its own.
            {"key": "hookUrl", "value": "http://127.0.0.1:9000/hooks/ledger"},
        ]
        + [
            {"key": key, "value": ""}
            for key in [
                "username",
                "password",
                "access",
                "refresh",
                "oldRefresh",
                "customerId",
                "entryId",
                "debitId",
                "idempotencyKey",
                "v1Refresh",
                "token",
                "integrationToken",
                "integrationId",
                "bulkCustomerId",
                "jobId",
                "jobPolls",
                "bookId",
                "secondBookId",
                "clerkName",
                "clerkToken",
                "invitationId",
                "bookCustomerId",
                "clerkEntryId",
                "bookToken",
                "bookTokenId",
                "bookExportJobId",
                "dueCustomerId",
                "supplierId",
                "linkId",
                "linkPath",
                "hookId",
                "hookSecret",
                "deliveryId",
                "reminderId",
            ]
        ],
        "item": [
            {"name": "Auth", "item": auth},
            {"name": "Customers", "item": customers},
            {"name": "Entries", "item": entries},
            {"name": "Archive", "item": archive},
            {"name": "Earlier clients (v1)", "item": v1},
            {"name": "Jobs", "item": jobs},
            {"name": "Books and teams", "item": team},
            {"name": "Dues", "item": dues},
            {"name": "Reminders and webhooks", "item": reminding},
            {"name": "Operations and logout", "item": operations},
        ],
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=2) + "\n")
    print(f"wrote {OUT}")
