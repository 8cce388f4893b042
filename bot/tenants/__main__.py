"""``python -m bot.tenants add|list|remove|key|token|report``: manage EAP organisations.

Examples:
  python -m bot.tenants add acme --name "Acme Ltd" --eap-phone "+1 800 555 0100" \
      --eap-hours "24/7" --origin https://portal.acme.example --portal-url https://portal.acme.example
  python -m bot.tenants add acme-ie --name "Acme Ireland" --eap-phone "+353 1 555 0100" \
      --region IE --region-fixed   # every visitor it signs in gets Ireland's helplines, whatever they say
  python -m bot.tenants list
  python -m bot.tenants key acme               # the organisation's own signing key, for its portal only
  python -m bot.tenants token acme --ttl 900 --origin https://portal.acme.example
  python -m bot.tenants report acme --days 30
  python -m bot.tenants remove acme
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.core.settings import SettingsError


def _resource(raw: str) -> dict[str, str]:
    """``"Name|phone|url|hours"`` (empty parts allowed) -> a resource dict."""
    parts = [p.strip() for p in raw.split("|")] + ["", "", ""]
    return {k: v for k, v in zip(("name", "phone", "url", "hours"), parts[:4], strict=True) if v}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tenants", description=__doc__.splitlines()[0], epilog="\n".join(__doc__.splitlines()[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add an organisation, or update it if the slug exists")
    add.add_argument("slug", help="short id used in tokens, e.g. acme-corp")
    add.add_argument("--name", required=True, help="the organisation's name")
    add.add_argument("--display-name", default="", help="name shown in the widget (default: --name)")
    add.add_argument("--eap-phone", required=True, help="the EAP line's phone number")
    add.add_argument("--eap-hours", default="", help='when the EAP line answers, e.g. "24/7"')
    add.add_argument("--portal-url", default="", help="the portal page that embeds the chat")
    add.add_argument("--origin", action="append", default=[], help="allowed web origin (repeatable)")
    add.add_argument("--resource", action="append", default=[], type=_resource,
                     help='extra resource "Name|phone|url|hours" (repeatable)')
    add.add_argument("--primary-colour", default="#1f5f8b")
    add.add_argument("--accent-colour", default="#f2f6f9")
    add.add_argument("--region", default="", help="the organisation's country, ISO 3166 code such as IE or GB")
    add.add_argument("--region-fixed", action="store_true",
                     help="all its visitors are in --region: crisis replies give that country's helplines "
                          "over whatever a visitor says or their browser suggests")
    sub.add_parser("list", help="list organisations")
    rm = sub.add_parser("remove", help="remove an organisation and its counters")
    rm.add_argument("slug")
    tok = sub.add_parser("token", help="print a signed token naming the organisation (what a portal's server issues)")
    tok.add_argument("slug")
    tok.add_argument("--ttl", type=int, default=900, help="seconds until it expires (default 900)")
    tok.add_argument("--origin", default=None, help="the portal site it may be used from (one of the organisation's origins)")
    key = sub.add_parser("key", help="print the organisation's own signing key (give it to that portal's server only)")
    key.add_argument("slug")
    rep = sub.add_parser("report", help="daily counts for one organisation, figures below 5 suppressed")
    rep.add_argument("slug")
    rep.add_argument("--days", type=int, default=30)
    return parser


def run(args: argparse.Namespace) -> int:
    from bot.storage.seed import init_db
    from bot.storage.session import session_factory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    init_db()
    if args.command == "add":
        tenant = make_tenant(
            args.slug, args.name, args.eap_phone, display_name=args.display_name, eap_hours=args.eap_hours,
            portal_url=args.portal_url, allowed_origins=args.origin, extra_resources=args.resource,
            primary_colour=args.primary_colour, accent_colour=args.accent_colour,
            region=args.region, region_fixed=args.region_fixed,
        )
        with session_factory().begin() as session:
            created = TenantRepository(session).save(tenant)
        print(f"{'added' if created else 'updated'} {tenant.slug}: {tenant.eap_line()}")
        if tenant.region_fixed:
            print(f"its visitors always get {tenant.region}'s helplines (region fixed)")
        return 0
    if args.command == "list":
        with session_factory().begin() as session:
            tenants = TenantRepository(session).list()
        if not tenants:
            print("no organisations yet: add one with `python -m bot.tenants add`")
        for t in tenants:
            print(json.dumps({"slug": t.slug, "name": t.name, "eap": t.eap_line(), "origins": list(t.allowed_origins),
                              "region": t.region or None, "region_fixed": t.region_fixed}))
        return 0
    if args.command == "remove":
        with session_factory().begin() as session:
            removed = TenantRepository(session).remove(args.slug)
        print(f"removed {args.slug}" if removed else f"error: no organisation {args.slug!r}", file=sys.stdout if removed else sys.stderr)
        return 0 if removed else 1
    if args.command == "token":
        from bot.tenants.tokens import TokenError, issue_token, verify_token

        try:
            token = issue_token(args.slug, args.ttl, origin=args.origin)
            verify_token(token, origin=args.origin)
        except TokenError as exc:
            print(f"error: {exc.message}" + (" (set TENANT_JWT_SECRET in .env)" if exc.code == "not_configured" else ""),
                  file=sys.stderr)
            return 1
        print(token)
        return 0
    if args.command == "key":
        from bot.tenants.tokens import TokenError, tenant_key

        try:
            print(tenant_key(args.slug))
        except TokenError as exc:
            print(f"error: {exc.message} (set TENANT_JWT_SECRET in .env)", file=sys.stderr)
            return 1
        return 0
    if args.command == "report":
        from bot.conversation.topics import topic_labels
        from bot.tenants.analytics import report

        try:
            print(report(args.slug, days=max(1, args.days), labels=topic_labels()))
        except LookupError:
            print(f"error: no organisation {args.slug!r}", file=sys.stderr)
            return 1
        return 0
    return 2


def main(argv: Optional[list[str]] = None) -> int:
    from bot.tenants.model import TenantError

    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except (TenantError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"error: the database is unavailable ({type(exc).__name__})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
