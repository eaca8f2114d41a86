"""Every route of the API contract, for tests that must cover them all."""

# (method, path) of every route that needs authentication; {c} is a customer id, {e} an entry
# id, {j} a job id.
PROTECTED_ROUTES = [
    ("get", "/api/"),
    ("get", "/api/auth/me/"),
    ("post", "/api/auth/logout/"),
    ("post", "/api/auth/password/"),
    ("get", "/api/auth/tokens/"),
    ("post", "/api/auth/tokens/"),
    ("get", "/api/customers/"),
    ("post", "/api/customers/"),
    ("get", "/api/customers/{c}/"),
    ("put", "/api/customers/{c}/"),
    ("patch", "/api/customers/{c}/"),
    ("delete", "/api/customers/{c}/"),
    ("post", "/api/customers/{c}/restore/"),
    ("get", "/api/customers/{c}/summary/"),
    ("get", "/api/customers/{c}/statement/"),
    ("get", "/api/customers/{c}/statement/?format=csv"),
    ("get", "/api/customers/{c}/statement/?format=pdf"),
    ("post", "/api/customers/{c}/entries/import/"),
    ("get", "/api/customers/{c}/entries/"),
    ("post", "/api/customers/{c}/entries/"),
    ("get", "/api/entries/"),
    ("get", "/api/entries/?format=csv"),
    ("post", "/api/entries/"),
    ("get", "/api/entries/{e}/"),
    ("post", "/api/entries/{e}/reverse/"),
    ("get", "/api/summary/"),
    ("get", "/api/jobs/"),
    ("get", "/api/jobs/{j}/"),
    ("delete", "/api/jobs/{j}/"),
    # v1 clients' spellings of the same views
    ("get", "/app/customers/"),
    ("get", "/app/entries/"),
    ("get", "/app/customers/{c}/summery/"),
]
