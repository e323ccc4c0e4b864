"""`sitrep keys create|list|revoke`: API keys, straight on Redis (REDIS_URL), so the first admin key
can be made before the API asks for one."""

from __future__ import annotations

import argparse
import sys

import pydantic
import redis

from core import api_keys
from core.errors import InvalidInput, RedisUrlMissing


def _connection() -> redis.Redis:
    from core.redis_conn import sync_client
    from core.settings import CommonSettings

    url = CommonSettings().redis_url
    if not url:
        raise RedisUrlMissing("REDIS_URL is not set: `sitrep keys` works on the API's Redis")
    return sync_client(url)


def cmd_keys(args: argparse.Namespace) -> int:
    connection = _connection()
    try:
        if args.action == "create":
            try:
                spec = api_keys.ApiKeyIn(name=args.name, scopes=args.scope, rate_per_second=args.rate)
            except pydantic.ValidationError as error:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
                raise InvalidInput(problems) from None
            made = api_keys.create(connection, spec)
            rate = "the API's default rate" if made.rate_per_second is None else f"{made.rate_per_second:g} requests/s"
            print(
                f"sitrep keys: made key {made.id} for {made.name} ({', '.join(made.scopes)}; {rate});"
                " it is shown once,"
                " below; keep it secret",
                file=sys.stderr,
            )
            print(made.key)
        elif args.action == "list":
            for key in api_keys.list_active(connection):
                rate = "default" if key.rate_per_second is None else f"{key.rate_per_second:g}/s"
                print(
                    f"{key.id}  {key.name:<20}  {','.join(key.scopes):<18}  {rate:<10}  {key.created_at:%Y-%m-%dT%H:%M:%SZ}"
                )
        elif args.action == "reseal":
            from core.delivery import sealing, subscriptions

            keys_now = sealing.configured()
            if keys_now is None:
                raise InvalidInput("SITREP_WEBHOOK_SECRET_KEYS is not set: nothing to seal webhook secrets with")
            count = subscriptions.reseal_all(connection, keys_now)
            print(f"sitrep keys: {count} subscription(s) with secrets sealed with the first key", file=sys.stderr)
        else:
            if api_keys.revoke(connection, args.id) is None:
                raise InvalidInput(f"no API key {args.id!r}")
            print(f"sitrep keys: revoked {args.id}", file=sys.stderr)
    finally:
        connection.close()
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser(
        "keys", help="make, list and revoke API keys; reseal webhook secrets (on the Redis of REDIS_URL)"
    )
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a key and print it (once)")
    create.add_argument(
        "--name", required=True, help="who holds it (a-z, 0-9, -); keys of one name share their report ids"
    )
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=api_keys.SCOPES,
        help="ingest, read or admin (all); repeatable",
    )
    create.add_argument(
        "--rate",
        type=float,
        default=None,
        metavar="PER_SECOND",
        help="requests a second this key may make (429 past it); default: the API's SITREP_RATE_LIMIT_PER_SECOND;"
        " 0: no limit",
    )
    actions.add_parser("list", help="the active keys (never the keys themselves)")
    revoke = actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("id")
    actions.add_parser(
        "reseal", help="seal every webhook secret with the first SITREP_WEBHOOK_SECRET_KEYS key (after a rotation)"
    )
    keys.set_defaults(func=cmd_keys)
