"""A department's script, written against the Python client that openapi-python-client
generates from openapi/openapi.json (CI regenerates it and runs this script).

    openapi-python-client generate --path openapi/openapi.json --output-path target/voortgang-client
    pip install target/voortgang-client
    VOORTGANG_URL=http://127.0.0.1:8080 VOORTGANG_TOKEN=vgt_... python examples/client.py

It lists the control domains, records an action by its own reference with its 2022 plan and
its 2023 outcome (running it again changes nothing), and reads how the 2023 follow-up
classifies it. The demo reviews 2023: the outcome counts once a coordinator (a reviewer
token, which this script creates with its admin token) approves it.
"""

import os
import sys
import time

from voortgang_client import AuthenticatedClient
from voortgang_client.api.actions import put_action_by_ref
from voortgang_client.api.domains import list_domains
from voortgang_client.api.reports import get_report_follow_up, review_report
from voortgang_client.api.tokens import create_token
from voortgang_client.models import (
    ActionUpsert,
    BatchReview,
    Decision,
    ItemKind,
    NewToken,
    Outcome,
    PageDomain,
    Progress,
    ReviewItem,
    Role,
    YearStatus,
)

REF = "VB-DIGI-2022-01"


def main() -> int:
    base_url = os.environ.get("VOORTGANG_URL", "http://127.0.0.1:8080")
    client = AuthenticatedClient(
        base_url=base_url,
        token=os.environ["VOORTGANG_TOKEN"],
        raise_on_unexpected_status=True,
    )
    with client:
        page = list_domains.sync(client=client, limit=100)
        if not isinstance(page, PageDomain):
            print(f"listing the domains failed: {page}", file=sys.stderr)
            return 1
        names = [domain.name for domain in page.items]
        print(f"{len(names)} domains: {', '.join(names)}")

        action = ActionUpsert(
            title="Digitaal archief voor besluiten",
            domain_ids=["betrouwbare-informatie"],
            statuses=[
                YearStatus(year=2022, status=Progress.PLANNED),
                YearStatus(year=2023, status=Progress.REALISED, progress=100),
            ],
        )
        response = put_action_by_ref.sync_detailed(REF, client=client, body=action)
        if response.status_code not in (200, 201):
            print(f"the upsert failed: {response.status_code} {response.content!r}", file=sys.stderr)
            return 1
        saved = response.parsed
        print(f"{REF}: action {saved.id} ({response.status_code})")

        answer = next(status for status in saved.statuses if status.year == 2023)
        if answer.review and answer.review.state.value == "submitted":
            print(f"{REF}: the 2023 outcome waits for review")
            # someone else than its writer approves it: a coordinator's token
            secret = create_token.sync(
                client=client,
                body=NewToken(name=f"coordinator-{int(time.time())}", role=Role.REVIEWER),
            ).secret
            coordinator = AuthenticatedClient(
                base_url=base_url, token=secret, raise_on_unexpected_status=True
            )
            with coordinator:
                review = BatchReview(
                    items=[ReviewItem(kind=ItemKind.ACTION_STATUS, id=saved.id, decision=Decision.APPROVE)]
                )
                result = review_report.sync(2023, client=coordinator, body=review)
                print(f"{REF}: approved by the coordinator ({result.approved} row)")

        follow_up = get_report_follow_up.sync(2023, client=client)
        outcomes = [
            action.outcome
            for domain in follow_up.domains
            for action in domain.actions
            if action.id == saved.id
        ]
        if not outcomes or any(outcome != Outcome.REALISED for outcome in outcomes):
            print(f"the 2023 follow-up classifies {REF} as {outcomes}", file=sys.stderr)
            return 1
        print(f"2023 follow-up: {REF} is {outcomes[0].value}; totals {follow_up.totals.to_dict()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
